import { readFileSync } from 'node:fs';
import { parseScenarioText } from './sim/scenario/load.js';
import { runScenario } from './sim/runner/run-scenario.js';
const file = process.argv[2]!;
const r = parseScenarioText(file, readFileSync(file, 'utf8'));
if (!r.ok) throw new Error(JSON.stringify(r.problems));
for (const seed of [1, 2]) {
  const t0 = process.cpuUsage();
  const rep = await runScenario(r.scenario, { seed, file });
  const cpu = process.cpuUsage(t0);
  console.log(seed, rep.verdict, rep.events, 'events', ((cpu.user + cpu.system) / 1000).toFixed(0), 'ms cpu', (rep.events / ((cpu.user + cpu.system) / 1e6) / 1e6).toFixed(3), 'M ev/s cpu', JSON.stringify(rep.latencyUs.write), JSON.stringify(rep.network));
}
