// Classify saved failing worlds by the five known breakages (heuristics + trace facts).
import { readFileSync } from 'node:fs';
import { parseScenarioText } from '../sim/scenario/load.ts';
import { runScenario } from '../sim/runner/run-scenario.ts';

const files = process.argv.slice(2);
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const json = JSON.parse(text);
  const loaded = parseScenarioText(file, text);
  if (!loaded.ok) { console.log(file, 'INVALID'); continue; }
  const s = loaded.scenario;
  const seed = json.generated?.seed ?? Number(/-(\d+)\.json$/.exec(file)?.[1]);
  const losses: { array: string; block: number; t: number }[] = [];
  const ends: { what: string; array: string; t: number }[] = [];
  const deaths: { array: string; t: number; alive: number }[] = [];
  const faults: { code: number; actor: string; t: number; suppressed: number }[] = [];
  let world: any;
  const r = await runScenario(s, {
    seed, file,
    recordSink: (rec) => {
      if (rec.kind === 'fault') faults.push({ code: Number(rec['code']), actor: rec.actor, t: rec.t, suppressed: Number(rec['suppressed']) });
      else if (rec.kind === 'node.life') deaths.push({ array: rec.actor, t: rec.t, alive: Number(rec['alive']) });
      else if (rec.kind === 'node.restored') ends.push({ what: 'restored', array: rec.actor, t: rec.t });
    },
    onPhase: (phase, w) => {
      if (phase !== 'load') return;
      world = w;
      const lost = w.onLost!; w.onLost = (a, b) => { losses.push({ array: a, block: b, t: w.engine.now }); lost(a, b); };
      const joined = w.onJoined!; w.onJoined = (a) => { ends.push({ what: 'joined', array: a, t: w.engine.now }); joined(a); };
      const left = w.onLeft!; w.onLeft = (a) => { ends.push({ what: 'left', array: a, t: w.engine.now }); left(a); };
    },
  });
  const v = r.violations[0];
  let cls = 'pass';
  if (v !== undefined) {
    const budget = s.faults.budget;
    const wc = s.disk.model === 'hdd' && s.disk.writeCache;
    const powerFails = faults.filter((f) => f.code === 15 && f.suppressed === 0);
    const afterRepair = powerFails.some((p) => ends.some((e) => p.t >= e.t && p.t - e.t <= 20_000));
    const reported = v.array !== null && v.block !== null && losses.some((l) => l.array === v.array && l.block === v.block && l.t <= v.timeUs);
    const forgot = reported && deaths.some((d) => d.array === v.array && d.alive === 0 && d.t >= losses.find((l) => l.array === v.array && l.block === v.block)!.t);
    const failedArr = v.array !== null && faults.some((f) => f.code === 3 && f.actor === v.array && f.suppressed === 0);
    const lossy = s.network.model === 'lossy';
    const reorder = lossy && ((s.network as any).reorder > 0 || (s.network as any).links.some((l: any) => (l.reorder ?? 0) > 0 && (l.from === v.array || l.to === v.array)));
    if (v.kind === 'crash') cls = /not a member/.test(v.message) ? 'B4 non-member crashes parity' : `crash: ${v.message.slice(0, 90)}`;
    else if (v.kind === 'liveness') cls = budget === 'unlimited' && s.scrub !== undefined && /not repaired/.test(v.message) ? 'B5 unlimited scrub liveness' : `liveness: ${v.message.slice(0, 80)}`;
    else if (forgot) cls = `B2 volatile loss report (${v.kind})`;
    else if (v.kind === 'parity' && wc && afterRepair && (r.probes['cached-writes-lost'] ?? 0) > 0) cls = 'B3 power after repair (write cache)';
    else if (v.kind === 'durability' && failedArr && reorder && losses.length === 0) cls = 'B1? reorder + array failure';
    else cls = `other ${v.kind}${reported ? ' (block reported lost earlier)' : ''}${failedArr ? ' (array failed)' : ''}${wc ? ' (wc)' : ''}${afterRepair ? ' (power after repair)' : ''}`;
  }
  console.log(`${file}\t${cls}\t${v ? v.message.slice(0, 100) : ''}`);
  if (process.env.V) {
    console.log(json.generated.plan.join('\n'));
    const names: Record<number, string> = {1:'crash',2:'restart',3:'fail-array',4:'replace-array',5:'join',6:'leave',7:'partition',8:'heal',9:'flap',10:'latent',11:'fail-drive',12:'replace-drive',13:'corrupt',14:'misdirect',15:'power-fail',100:'latent-burst'};
    const ev = [...faults.map((f) => ({ t: f.t, s: `fault ${names[f.code]} ${f.actor}${f.suppressed ? ' SUPPRESSED' : ''}` })), ...ends.map((e) => ({ t: e.t, s: `${e.what} ${e.array}` })), ...losses.map((l) => ({ t: l.t, s: `lost ${l.array}[${l.block}]` })), ...deaths.map((d) => ({ t: d.t, s: `life ${d.array} alive=${d.alive}` }))].sort((a, b) => a.t - b.t);
    for (const e of ev) console.log(`  ${(e.t / 1000).toFixed(3)}ms ${e.s}`);
    console.log('probes', JSON.stringify(r.probes));
    if (v) console.log(v.message, '\n  ' + v.recent.join('\n  '));
  }
}
