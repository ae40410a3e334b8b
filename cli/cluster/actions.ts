// What `xorsim cluster <action>` does: start, stop and inspect a local
// cluster's node processes (processes.ts), and give the operator's orders —
// fail an array, start a node on a replacement, join, leave — over the nodes'
// admin sockets. Each returns the exit code: 0 done, 1 not done (a node
// that would not start, an order refused), with one line saying why.
import { existsSync, rmSync } from 'node:fs';
import { type AdminReply, adminRequest } from '../../src/real/admin-socket.js';
import { type ClusterConfig, type ParitySpec, type PrimarySpec, clusterNodes, nodeFiles } from '../../src/real/cluster-config.js';
import { UsageError } from '../usage-error.js';
import { initSecrets, secretsExist } from './secret-files.js';
import { forgetPid, runningPid, sleep, startNode, stopPid, waitGone, waitReady } from './processes.js';
import { clusterRows, formatStatus } from './status-table.js';

export interface ClusterContext {
  readonly cluster: ClusterConfig;
  /** Where pids and logs go. */
  readonly run: string;
  /** How long to wait for a node to start, stop, or finish an order (ms). */
  readonly timeoutMs: number;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

function nodeNamed(ctx: ClusterContext, name: string): PrimarySpec | ParitySpec {
  const node = clusterNodes(ctx.cluster).find((n) => n.name === name);
  if (node === undefined) throw new UsageError(`${ctx.cluster.file}: no node named "${name}" (nodes: ${clusterNodes(ctx.cluster).map((n) => n.name).join(', ')})`);
  return node;
}

const installed = (n: PrimarySpec | ParitySpec) => existsSync(nodeFiles(n.dir).orders);
const holdsArray = (n: PrimarySpec | ParitySpec) => [nodeFiles(n.dir).image, nodeFiles(n.dir).sidecar, nodeFiles(n.dir).journal].some((f) => existsSync(f));

/** Makes the cluster's key files; with `rotate`, new keys over the old — only with every node stopped (a running one holds the old key). */
export function init(ctx: ClusterContext, rotate: boolean): number {
  const running = clusterNodes(ctx.cluster).filter((n) => runningPid(ctx.run, n.name) !== undefined);
  if (rotate && running.length > 0) return refuse(ctx, `cluster init --rotate: ${running.map((n) => n.name).join(', ')} running: \`xorsim cluster down ${ctx.cluster.file}\` first (a running node keeps the old key)`);
  for (const line of initSecrets(ctx.cluster, rotate)) ctx.out(line);
  return 0;
}

/**
 * Starts every node not running. A new cluster's nodes (none installed yet) are installed on
 * empty arrays. Once it is installed, a node missing is a lost array — `replace` brings it
 * back — except a primary the file keeps outside the group (a new one, to join later).
 */
export async function up(ctx: ClusterContext): Promise<number> {
  const nodes = clusterNodes(ctx.cluster);
  const fresh = nodes.every((n) => !installed(n));
  // A new cluster gets its keys made here if `cluster init` was not run; an installed one must have them.
  if (fresh && !secretsExist(ctx.cluster)) for (const line of initSecrets(ctx.cluster, false)) ctx.out(line);
  let code = 0;
  const starting: { name: string; pid: number }[] = [];
  for (const n of nodes) {
    const running = runningPid(ctx.run, n.name);
    if (running !== undefined) {
      ctx.out(`${n.name}: already running (pid ${running})`);
      continue;
    }
    if (!installed(n) && !fresh && !(n.role === 'primary' && !n.member)) {
      ctx.err(`${n.name}: not installed in ${n.dir}, but the rest of the cluster is: a lost array comes back with \`xorsim cluster replace ${ctx.cluster.file} ${n.name}\``);
      code = 1;
      continue;
    }
    if (!installed(n) && !fresh) ctx.out(`${n.name}: a new primary, outside the group until \`xorsim cluster join\` (parity learns of it when it next starts)`);
    starting.push({ name: n.name, pid: startNode(ctx.cluster, ctx.run, n.name, installed(n) ? [] : ['--init']) });
  }
  for (const r of await Promise.all(starting.map(async (s) => ({ ...s, ready: await waitReady(ctx.cluster, ctx.run, s.name, s.pid, ctx.timeoutMs) })))) {
    if (r.ready.ok) ctx.out(`${r.name}: started (pid ${r.pid})`);
    else {
      ctx.err(`${r.name}: did not start: ${r.ready.why}`);
      code = 1;
    }
  }
  ctx.out(formatStatus(ctx.cluster, ctx.run, await clusterRows(ctx.cluster, ctx.run)));
  return code;
}

/** Stops every node: the primaries first (their hosts' writes under way still reach parity), then parity. */
export async function down(ctx: ClusterContext): Promise<number> {
  const stop = async (n: PrimarySpec | ParitySpec) => {
    const pid = runningPid(ctx.run, n.name);
    if (pid === undefined) return ctx.out(`${n.name}: not running`);
    const how = await stopPid(pid, ctx.timeoutMs);
    forgetPid(ctx.run, n.name);
    ctx.out(how === 'stopped' ? `${n.name}: stopped (pid ${pid})` : `${n.name}: killed (pid ${pid}): still running ${ctx.timeoutMs / 1000} s after SIGTERM`);
  };
  await Promise.all(ctx.cluster.primaries.map(stop));
  await stop(ctx.cluster.parity);
  return 0;
}

export async function status(ctx: ClusterContext): Promise<number> {
  ctx.out(formatStatus(ctx.cluster, ctx.run, await clusterRows(ctx.cluster, ctx.run)));
  return 0;
}

/** The array of `name` fails: its node stops at once, and its image, sidecar and journal are deleted. */
export async function fail(ctx: ClusterContext, name: string): Promise<number> {
  const n = nodeNamed(ctx, name);
  const pid = runningPid(ctx.run, name);
  if (pid !== undefined) {
    const r = await adminRequest(nodeFiles(n.dir).admin, 'fail');
    if (!r.ok) ctx.err(`${name}: ${r.error}: killing it`);
    if (!r.ok || !(await waitGone(pid, ctx.timeoutMs))) await stopPid(pid, 0);
    forgetPid(ctx.run, name);
  }
  // The node deletes them itself; a node that was down, or killed, cannot.
  for (const f of [nodeFiles(n.dir).image, nodeFiles(n.dir).sidecar, nodeFiles(n.dir).journal]) rmSync(f, { force: true });
  ctx.out(`${name}: array failed (image, sidecar and journal deleted; node ${pid === undefined ? 'was not running' : 'stopped'}); bring it back with \`xorsim cluster replace ${ctx.cluster.file} ${name}\``);
  return 0;
}

/**
 * Starts `name` on a replacement (empty) array: a primary is restored from parity; a parity
 * array is rebuilt from the primaries in the group — which only they can say, so each must answer.
 */
export async function replace(ctx: ClusterContext, name: string, wait: boolean): Promise<number> {
  const n = nodeNamed(ctx, name);
  if (runningPid(ctx.run, name) !== undefined) return refuse(ctx, `${name}: running on its array: \`xorsim cluster fail\` it first`);
  if (holdsArray(n)) return refuse(ctx, `${name}: ${n.dir} still holds its array (image, sidecar or journal): \`xorsim cluster fail\` it first`);
  const args = ['--replace'];
  if (n.role === 'parity') {
    const members: string[] = [];
    for (const p of ctx.cluster.primaries) {
      const s = await adminRequest(nodeFiles(p.dir).admin, 'status', 2000);
      if (!s.ok) return refuse(ctx, `${p.name}: ${s.error}; a parity rebuild needs every primary up (each says whether it is in the group)`);
      if (s['membership'] === 'member' || s['membership'] === 'joining') members.push(p.name);
    }
    args.push('--members', members.join(','));
  }
  const pid = startNode(ctx.cluster, ctx.run, name, args);
  const ready = await waitReady(ctx.cluster, ctx.run, name, pid, ctx.timeoutMs);
  if (!ready.ok) return refuse(ctx, `${name}: did not start: ${ready.why}`);
  ctx.out(`${name}: started on a replacement array (pid ${pid}): ${n.role === 'primary' ? 'restoring from parity' : `rebuilding Q from ${args.at(-1) || 'no members'}`}`);
  if (!wait) return 0;
  const done = (s: Record<string, unknown>) => (n.role === 'primary' ? s['restoring'] === false : (s['rebuildPending'] as string[]).length === 0);
  return awaitStatus(ctx, n, done, n.role === 'primary' ? 'restore done' : 'rebuild done');
}

/** A primary joins or leaves the group. */
export async function order(ctx: ClusterContext, name: string, op: 'join' | 'leave', wait: boolean): Promise<number> {
  const n = nodeNamed(ctx, name);
  if (n.role !== 'primary') throw new UsageError(`${name}: the parity array neither joins nor leaves (primaries do)`);
  const r = await adminRequest(nodeFiles(n.dir).admin, op);
  if (!r.ok) return refuse(ctx, `${name}: ${r.error}`);
  ctx.out(`${name}: ${op} ordered (${String(r['membership'])})`);
  if (!wait) return 0;
  return awaitStatus(ctx, n, (s) => s['membership'] === (op === 'join' ? 'member' : 'outside'), `${op} done`);
}

async function awaitStatus(ctx: ClusterContext, n: PrimarySpec | ParitySpec, done: (s: Record<string, unknown>) => boolean, what: string): Promise<number> {
  const deadline = Date.now() + ctx.timeoutMs;
  for (;;) {
    const s: AdminReply = await adminRequest(nodeFiles(n.dir).admin, 'status', 2000);
    if (s.ok && done(s)) {
      ctx.out(`${n.name}: ${what}`);
      return 0;
    }
    if (Date.now() > deadline) return refuse(ctx, `${n.name}: not ${what} after ${ctx.timeoutMs / 1000} s (${s.ok ? 'still under way' : s.error})`);
    await sleep(200);
  }
}

function refuse(ctx: ClusterContext, line: string): number {
  ctx.err(line);
  return 1;
}
