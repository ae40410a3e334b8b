import { readFileSync } from 'node:fs';
import { parseScenarioText } from '../sim/scenario/load.ts';
import { runScenario } from '../sim/runner/run-scenario.ts';
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, 'utf8');
  const l = parseScenarioText(file, text);
  if (!l.ok) continue;
  const seed = JSON.parse(text).generated.seed;
  let info = '';
  const r = await runScenario(l.scenario, { seed, file, onPhase: (phase, w) => {
    if (phase !== 'end') return;
    const open = w.media.unrepaired(w.scenario.scrub !== undefined);
    const lines: string[] = [];
    for (const d of open.slice(0, 4)) {
      const copies = w.nodes().map((n) => [n.name, w.damage.intervals(n.name, d.block).map((i) => `${i.kind}@${(i.start/1000).toFixed(1)}-${i.end === undefined ? 'open' : (i.end/1000).toFixed(1)}`).join('+')]).filter(([, s]) => s !== '');
      const lost = w.primaries.filter((p) => p.controller.lostBlocks.has(d.block)).map((p) => p.name);
      lines.push(`  ${d.array}[${d.block}] ${d.kinds.join(',')} | copies: ${copies.map(([n, s]) => `${n}:${s}`).join(' ')} | reported lost by: ${lost.join(',') || 'nobody'}`);
    }
    info = lines.join('\n');
  } });
  console.log(file.replace(/.*\//, ''), r.verdict, r.violations[0]?.message.slice(0, 80));
  console.log(info);
}
