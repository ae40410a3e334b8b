// Regenerates scenarios/scenario.schema.json from the zod schema.
import { writeFileSync } from 'node:fs';
import { scenarioJsonSchema } from '../sim/scenario/json-schema.js';

const file = new URL('../scenarios/scenario.schema.json', import.meta.url);
writeFileSync(file, scenarioJsonSchema());
console.log(`wrote ${file.pathname}`);
