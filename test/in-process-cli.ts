// The xorsim command line called in this process, its console output captured:
// a process per call costs a second of start-up (tsx) that most tests need not pay.
import { main } from '../cli/main.js';

export async function xorsimHere(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  console.log = (...parts: unknown[]) => void out.push(`${parts.join(' ')}\n`);
  console.error = (...parts: unknown[]) => void err.push(`${parts.join(' ')}\n`);
  try {
    const code = await main(args);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    console.log = log;
    console.error = error;
  }
}
