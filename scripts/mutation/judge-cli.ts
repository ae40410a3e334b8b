// Judges the mutant named by __STRYKER_ACTIVE_MUTANT__ with every run of the
// judge set, in a fresh process (a mutant in code that runs when a module
// loads must be switched on before it loads), stopping at the first run that
// is not a pass. Run in Stryker's sandbox by scripts/mutation/stryker-plugin.mjs;
// prints one JSON line: the outcome ({kind: 'pass'} if every run passed).
import { judgeTests, runJudgeTest } from './judge.js';

let simCrash: unknown;
for (const t of judgeTests(process.cwd())) {
  const o = await runJudgeTest(t);
  if (o.kind === 'kill' || o.kind === 'timeout') {
    console.log(JSON.stringify(o));
    process.exit(0);
  }
  if (o.kind === 'sim-crash') simCrash ??= o;
}
console.log(JSON.stringify(simCrash ?? { kind: 'pass', wallMs: 0 }));
