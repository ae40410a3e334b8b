// Ablations of a saved failing world: which ingredients does its failure need?
import { readFileSync } from 'node:fs';
import { parseScenarioValue } from '../sim/scenario/load.ts';
import { runScenario } from '../sim/runner/run-scenario.ts';
const variants: Record<string, (j: any) => void> = {
  asIs: () => {},
  noWriteCache: (j) => { if (j.disk.model === 'hdd') j.disk.writeCache = false; },
  noPowerFail: (j) => { j.faults.schedule = j.faults.schedule.filter((f: any) => f.do !== 'power-fail'); },
  noCrash: (j) => { j.faults.schedule = j.faults.schedule.filter((f: any) => f.do !== 'crash'); delete j.faults.random.controllerCrash; },
  noMisdirect: (j) => { j.faults.schedule = j.faults.schedule.filter((f: any) => f.do !== 'misdirect'); },
  calmNetwork: (j) => { j.network = { model: 'lossy', latency: j.network.latency ?? '50us' }; j.faults.schedule = j.faults.schedule.filter((f: any) => !['flap', 'partition'].includes(f.do)); },
  noFailArray: (j) => { j.faults.schedule = j.faults.schedule.filter((f: any) => f.do !== 'fail-array'); },
};
const want = (process.env.VARIANTS ?? Object.keys(variants).join(',')).split(',');
for (const file of process.argv.slice(2)) {
  const base = JSON.parse(readFileSync(file, 'utf8'));
  const seed = base.generated?.seed;
  const out: string[] = [];
  for (const v of want) {
    const j = JSON.parse(JSON.stringify(base));
    variants[v]!(j);
    const l = parseScenarioValue(file, j);
    if (!l.ok) { out.push(`${v}=invalid`); continue; }
    const r = await runScenario(l.scenario, { seed, file });
    out.push(`${v}=${r.verdict === 'pass' ? 'pass' : (r.violations[0]?.kind ?? r.verdict)}`);
  }
  console.log(file.replace(/.*\//, ''), out.join(' '));
}
