// Runs one scenario over a range of seeds, serially, and counts the verdicts:
//   npm run sweep -- scenarios/<name>.json [--protocol literal|hardened] [--from 1] [--to 200]
// The source of the seed counts quoted in docs/PROTOCOL.md. An interim tool:
// `xorsim explore` (issue 5) adds workers, shards, swarm knobs and replay.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ProtocolVariant } from '../src/protocol/variant.js';
import { runScenario } from '../sim/runner/run-scenario.js';
import { formatProblem, parseScenarioText } from '../sim/scenario/load.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { protocol: { type: 'string' }, from: { type: 'string', default: '1' }, to: { type: 'string', default: '200' } },
});
const file = positionals[0];
if (file === undefined) {
  console.error('usage: npm run sweep -- <scenario.json> [--protocol literal|hardened] [--from N] [--to N]');
  process.exit(2);
}
const loaded = parseScenarioText(file, readFileSync(file, 'utf8'));
if (!loaded.ok) {
  console.error(formatProblem(loaded.problems[0]!));
  process.exit(2);
}
const scenario = values.protocol === undefined ? loaded.scenario : { ...loaded.scenario, protocol: values.protocol as ProtocolVariant };
const verdicts = new Map<string, number[]>();
for (let seed = Number(values.from); seed <= Number(values.to); seed++) {
  const r = await runScenario(scenario, { seed, file });
  verdicts.set(r.verdict, [...(verdicts.get(r.verdict) ?? []), seed]);
  if (r.verdict !== 'pass') console.log(`seed ${seed}: ${r.verdict}: ${r.violations[0]?.message ?? ''}`);
}
for (const [verdict, seeds] of verdicts) console.log(`${scenario.name} ${scenario.protocol}: ${verdict} ${seeds.length} (seeds ${seeds.slice(0, 8).join(', ')}${seeds.length > 8 ? ', …' : ''})`);
process.exitCode = verdicts.has('pass') && verdicts.size === 1 ? 0 : 1;
