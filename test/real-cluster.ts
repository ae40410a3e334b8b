// What the tests that run real node processes share: free ports, the CLI
// run as a child process (sync or not), a tool looked up on PATH (the test
// says plainly when it skips one), and a cleanup that SIGKILLs every node a
// run directory has a pid file for.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePorts } from '../cli/free-ports.js';
export { freePorts };

export const BIN = new URL('../bin/xorsim.mjs', import.meta.url).pathname;

export const CHILD_ENV: NodeJS.ProcessEnv = { ...process.env };
delete CHILD_ENV.FORCE_COLOR;

export interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `xorsim …` in a child process, blocking this one (fine when nothing else runs in it). */
export function xorsim(...args: string[]): Ran {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: CHILD_ENV, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A command in a child process without blocking this one (its timers and sockets keep running). */
export function runAsync(cmd: string, args: readonly string[], options: { timeoutMs: number; cwd?: string }): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(cmd, args, { encoding: 'utf8', env: CHILD_ENV, timeout: options.timeoutMs, cwd: options.cwd, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

/** `xorsim …` without blocking this one. */
export function xorsimAsync(...args: string[]): Promise<Ran> {
  return runAsync(process.execPath, [BIN, ...args], { timeoutMs: 60_000 });
}


/** Kills (SIGKILL) every node whose pid file is in `run`: nothing is left behind, whatever failed. */
export function killAll(run: string): void {
  if (!existsSync(run)) return;
  for (const f of readdirSync(run).filter((f) => f.endsWith('.pid'))) {
    try {
      process.kill(Number(readFileSync(join(run, f), 'utf8')), 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/** A tool's path, or undefined after saying, in the test's output, that `what` is skipped without it. */
export function tool(name: string, what: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  if (r.status === 0) return r.stdout.trim();
  process.stdout.write(`  (${name} not installed: ${what} skipped)\n`); // not console.log: under uvu it warns about NO_COLOR
  return undefined;
}
