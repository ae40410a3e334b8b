// Regenerates scenarios/scenario.schema.json and docs/examples/cluster.schema.json from their zod schemas.
import { writeFileSync } from 'node:fs';
import { clusterJsonSchema } from '../cli/cluster/cluster-file.js';
import { scenarioJsonSchema } from '../sim/scenario/json-schema.js';

for (const [rel, text] of [
  ['../scenarios/scenario.schema.json', scenarioJsonSchema()],
  ['../docs/examples/cluster.schema.json', clusterJsonSchema()],
] as const) {
  const file = new URL(rel, import.meta.url);
  writeFileSync(file, text);
  console.log(`wrote ${file.pathname}`);
}
