#!/usr/bin/env node
// `npm run mutation [-- --files <glob|file[:lines]>…] [--concurrency N] [--timeout-ms MS]`: StrykerJS over the
// hardened paths (stryker.config.mjs), judged by xorsim (scripts/mutation/), then
// the report (scripts/mutation/summarize.mjs) in out/mutation/report.md.
// StrykerJS 10's CLI refuses Node < 22 at import; its engine runs on this project's Node (≥ 20.19) as used here.
import { Stryker } from '../../node_modules/@stryker-mutator/core/dist/src/stryker.js';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import config from '../../stryker.config.mjs';

const root = new URL('../..', import.meta.url).pathname;
process.chdir(root);
const args = process.argv.slice(2);
const options = { ...config };
let outDir = 'out/mutation';
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--files' || a === '--mutate') {
    const files = [];
    while (i + 1 < args.length && !args[i + 1].startsWith('--')) files.push(...args[++i].split(','));
    if (files.length === 0) usage(`${a} needs at least one file or glob`);
    options.mutate = files;
  } else if (a === '--concurrency') {
    options.concurrency = Number(args[++i]);
    if (!(options.concurrency >= 1)) usage('--concurrency needs a number ≥ 1');
  } else if (a === '--timeout-ms') {
    // StrykerJS's per-mutant timeout on top of 1.5 × the dry run. On a loaded machine a survivor's
    // whole judge can take longer than the default 10 s and count as a timeout (detected): raise it.
    options.timeoutMS = Number(args[++i]);
    if (!(options.timeoutMS >= 1)) usage('--timeout-ms needs a number of milliseconds ≥ 1');
  } else if (a === '--out') {
    outDir = args[++i];
    if (outDir === undefined) usage('--out needs a directory');
  } else if (a === '--dry-run-only') options.dryRunOnly = true;
  else usage(`unknown argument ${a}`);
}
function usage(msg) {
  console.error(`npm run mutation: ${msg}\nusage: npm run mutation [-- --files <file|glob|file:from-to>… --concurrency N --timeout-ms MS --out DIR]`);
  process.exit(2);
}

const out = join(root, outDir);
mkdirSync(out, { recursive: true });
options.jsonReporter = { fileName: join(out, 'mutation.json') };
options.htmlReporter = { fileName: join(out, 'mutation.html') };
const notes = join(out, 'notes.jsonl');
rmSync(notes, { force: true });
process.env.XORSIM_MUTATION_NOTES = notes;
const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
await new Stryker(options).runMutationTest();
const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
const { summarize } = await import('./summarize.mjs');
summarize({ root, out, wallS, cpuS: cpuSeconds(), mutate: options.mutate, concurrency: options.concurrency });

/** CPU of this process and of every child it waited for (Stryker's checkers and test runners, the judge's children). */
function cpuSeconds() {
  try {
    const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100; // utime stime cutime cstime, in ticks of 1/100 s
  } catch {
    const u = process.cpuUsage(cpu0);
    return (u.user + u.system) / 1e6;
  }
}
