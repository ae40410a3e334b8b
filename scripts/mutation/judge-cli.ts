// Judges the mutant named by __STRYKER_ACTIVE_MUTANT__ with every run of the
// judge set, in a fresh process (a mutant in code that runs when a module
// loads must be switched on before it loads), stopping at the first run that
// is not a pass. Run in Stryker's sandbox by scripts/mutation/stryker-plugin.mjs;
// prints one JSON line: the outcome ({kind: 'pass'} if every run passed).
//
// An endless loop while modules load (a mutated table-building loop) would
// hang this process until StrykerJS's timeout: a hit limit on the mutant, set
// before any instrumented module loads, turns it into a quick timeout.
const ns = ((globalThis as Record<string, unknown>).__stryker__ ??= {}) as Record<string, unknown>;
ns.hitCount = 0;
ns.hitLimit = 50_000_000;

let simCrash: unknown;
try {
  await run();
} catch (error) {
  // Thrown while modules load or outside any run.
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const top = (error instanceof Error ? (error.stack ?? '') : '').split('\n').slice(1).find((l) => /[/\\](src|sim|scripts)[/\\]/.test(l) && !l.includes('node_modules')) ?? '';
  const kind = text.includes('Hit count limit') ? 'timeout' : /[/\\]src[/\\]/.test(top) ? 'kill' : 'sim-crash';
  console.log(JSON.stringify({ kind, cpuMs: 0, message: `while loading: ${text} (${top.trim()})` }));
}
async function run(): Promise<void> {
  const { judgeTests, runJudgeTest } = await import('./judge.js');
  for (const t of judgeTests(process.cwd())) {
    const o = await runJudgeTest(t);
    if (o.kind === 'kill' || o.kind === 'timeout') {
      console.log(JSON.stringify(o));
      return;
    }
    if (o.kind === 'sim-crash') simCrash ??= o;
  }
  console.log(JSON.stringify(simCrash ?? { kind: 'pass', cpuMs: 0 }));
}
