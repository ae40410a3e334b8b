// The node processes of a local cluster (`xorsim cluster`): each started
// detached as `xorsim node`, its pid in `<run dir>/<node>.pid` and its log
// (the node's stdout and stderr) appended to `<run dir>/<node>.log`; found
// again from its pid file, and stopped with SIGTERM, then SIGKILL after a
// timeout. The run dir is beside the cluster file (`<name>.run/` for
// `<name>.json`) unless --dir names another.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { ClusterConfig } from '../../src/real/cluster-config.js';
import { nodeFiles } from '../../src/real/cluster-config.js';
import { type AdminReply, adminRequest } from '../../src/real/admin-socket.js';
import { shippedFile } from '../io.js';

export function runDirOf(cluster: ClusterConfig, flag: string | undefined): string {
  return flag !== undefined ? resolve(flag) : join(dirname(cluster.file), `${basename(cluster.file).replace(/\.json$/, '')}.run`);
}

export function logOf(run: string, name: string): string {
  return join(run, `${name}.log`);
}

function pidFileOf(run: string, name: string): string {
  return join(run, `${name}.pid`);
}

/** The pid of `name`'s node if it is running (its pid file names a live process that is that node), else undefined. */
export function runningPid(run: string, name: string): number | undefined {
  const file = pidFileOf(run, name);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (!Number.isSafeInteger(pid) || pid <= 0 || !alive(pid)) return undefined;
  // A pid is reused once its process is gone: where /proc tells, it must still be this node.
  const cmdline = `/proc/${pid}/cmdline`;
  let args: string[];
  try {
    args = readFileSync(cmdline, 'utf8').split('\0');
  } catch {
    return existsSync('/proc/self') ? undefined : pid; // gone meanwhile, or no /proc to ask
  }
  const at = args.indexOf('--name');
  return args.includes('node') && at >= 0 && args[at + 1] === name ? pid : undefined;
}

/**
 * The process exists and has not exited. A zombie has exited: its node was
 * started detached and its adopter reaps it when it likes — at once under
 * systemd, a second later under some VMs' init, never under a container's
 * PID 1 that does not wait — so kill(pid, 0) alone would keep `down` waiting
 * on a process that is already gone (and SIGKILL cannot end).
 */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !zombie(pid);
}

/**
 * /proc/<pid>/stat is "pid (comm) state …"; comm may hold spaces and parentheses, so the
 * state follows the last ")". Gone from /proc meanwhile: reaped, as good as one. No /proc: not known.
 */
function zombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return existsSync('/proc/self');
  }
}

/** Starts `name`'s node detached (`xorsim node … --name name` and `args`); its pid. */
export function startNode(cluster: ClusterConfig, run: string, name: string, args: readonly string[]): number {
  mkdirSync(run, { recursive: true });
  const log = openSync(logOf(run, name), 'a');
  try {
    const bin = resolve(shippedFile('bin/xorsim.mjs'));
    const child = spawn(process.execPath, [bin, 'node', cluster.file, '--name', name, ...args], { detached: true, stdio: ['ignore', log, log], env: { ...process.env, FORCE_COLOR: '0' } });
    child.unref();
    if (child.pid === undefined) throw new Error(`${name}: the node process did not start`);
    writeFileSync(pidFileOf(run, name), `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(log);
  }
}

/** Waits until `name`'s node answers on its admin socket as running; else why not (it died: the end of its log). */
export async function waitReady(cluster: ClusterConfig, run: string, name: string, pid: number, timeoutMs: number): Promise<{ ok: true; status: AdminReply } | { ok: false; why: string }> {
  const spec = [cluster.parity, ...cluster.primaries].find((n) => n.name === name)!;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!alive(pid)) return { ok: false, why: `exited: ${lastLines(logOf(run, name), 3)}` };
    const status = await adminRequest(nodeFiles(spec.dir).admin, 'status', 1000);
    if (status.ok && status['state'] === 'running') return { ok: true, status };
    if (Date.now() > deadline) return { ok: false, why: `not running after ${timeoutMs / 1000} s (see ${logOf(run, name)})` };
    await sleep(100);
  }
}

/** SIGTERM, then SIGKILL if it is still there after `timeoutMs`; how it ended. */
export async function stopPid(pid: number, timeoutMs: number): Promise<'stopped' | 'killed'> {
  signal(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) {
      signal(pid, 'SIGKILL');
      while (alive(pid)) await sleep(20);
      return 'killed';
    }
    await sleep(50);
  }
  return 'stopped';
}

/** Waits until `pid` is gone (a node that was ordered to stop); false if it is still there after `timeoutMs`. */
export async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

export function forgetPid(run: string, name: string): void {
  rmSync(pidFileOf(run, name), { force: true });
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone already
  }
}

/** The last `n` non-empty lines of a log, joined for one line of output. */
export function lastLines(file: string, n: number): string {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join(' | ');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
