import { generateWorld } from '../sim/generate/generator.ts';
import { runScenario } from '../sim/runner/run-scenario.ts';
const want = process.argv[2] ?? 'after-restore';
let shown = 0;
for (let seed = 1; seed <= 200 && shown < 3; seed++) {
  const w = generateWorld({ seed, budget: 'recoverable', weights: {}, batch: 0 });
  if (!w.aimed.some((c) => c.endsWith('@' + want))) continue;
  shown++;
  const r = await runScenario(w.scenario, { seed, file: 'x' });
  console.log(seed, r.verdict, r.violations[0]?.message?.slice(0, 100), (r.simTimeUs/1000).toFixed(1), 'ms', w.scenario.workload.duration/1000);
  console.log((w.json.generated as any).plan.join('\n'));
  console.log(r.coverage);
}
