import { readFileSync } from 'node:fs';
import { parseScenarioText } from '../sim/scenario/load.ts';
import { runScenario } from '../sim/runner/run-scenario.ts';
const [file, seedS, arr, blk] = process.argv.slice(2);
const l = parseScenarioText(file!, readFileSync(file!, 'utf8'));
if (!l.ok) throw new Error('bad');
let w: any;
const r = await runScenario(l.scenario, { seed: Number(seedS), file: file!, onPhase: (p, world) => { w = world; },
  recordSink: (rec) => { if ((rec.actor === arr || rec.actor.startsWith(arr + '/')) && (rec['block'] === Number(blk) || rec['lba'] !== undefined)) console.log(JSON.stringify(rec)); } });
console.log(r.verdict, r.violations[0]?.message);
console.log(JSON.stringify(w.damage.intervals(arr, Number(blk))));
