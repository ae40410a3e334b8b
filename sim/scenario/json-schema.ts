// The editor-facing JSON Schema of scenario files, derived from the zod schema
// (the input side: what people type, human units included). Written to
// scenarios/scenario.schema.json by `npm run schema`; a test keeps it current.
import { z } from 'zod';
import { ScenarioSchema } from './schema.js';

export function scenarioJsonSchema(): string {
  const schema = z.toJSONSchema(ScenarioSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  const out = {
    $schema: schema['$schema'],
    title: 'xorsim scenario',
    description: 'A run of the xorsim testbed: arrays, hardware models, faults and host load. See docs/SCENARIOS.md.',
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}
