// CPU time of the child processes this process has waited for, as the kernel
// counts it (/proc/self/stat cutime + cstime): other load on the machine does
// not inflate it. Linux only (undefined elsewhere).
import { readFileSync } from 'node:fs';

/** CPU of every child this process has waited for, in ms (undefined off Linux). */
export function childrenCpuMs(): number | undefined {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100; // cutime, cstime: ticks of 1/100 s
  } catch {
    return undefined;
  }
}
