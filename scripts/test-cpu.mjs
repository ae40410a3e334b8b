// Preloaded into each test file's process by scripts/test.mjs: at exit, writes the CPU time the process
// used — every thread, plus the child processes it waited for (the CLI tests' `xorsim` runs) — to the
// file XORSIM_TEST_CPU names, so `npm test` can say where its CPU goes, not only its wall time.
// Linux's /proc/self/stat (utime, stime, cutime, cstime); elsewhere this process's own threads only.
import { readFileSync, writeFileSync } from 'node:fs';

const out = process.env.XORSIM_TEST_CPU;
if (out) {
  process.on('exit', () => {
    let seconds;
    try {
      // Fields after the command name (which may hold spaces, so split after its closing paren): utime is the 12th.
      const stat = readFileSync('/proc/self/stat', 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
      seconds = ticks / 100; // USER_HZ is 100 on every Linux Node runs on
    } catch {
      const u = process.cpuUsage();
      seconds = (u.user + u.system) / 1e6;
    }
    writeFileSync(out, String(seconds));
  });
}
