// What a node checks before it opens its array: which of the three ways it
// was started in applies to what its directory holds, and the standing
// orders it starts with (node-orders.ts).
//
//  init     a new cluster's node: nothing of it exists yet. Every array of a
//           new cluster is empty, and Q = 0 is the XOR of empty arrays, so no
//           build is needed.
//  replace  a replacement array: the old one's image, sidecar and journal are
//           gone; a primary is to be restored from parity, a parity array
//           rebuilt from the members it is given.
//  run      an installed node starting again (after a stop or a crash): its
//           orders and its array must be there. An image or a journal missing
//           means the array was lost — starting on empty files would serve
//           zeros as data — so the node refuses, and says to replace it.
import { access } from 'node:fs/promises';
import type { ClusterConfig, ParitySpec, PrimarySpec } from './cluster-config.js';
import { nodeFiles } from './cluster-config.js';
import { type Orders, OrdersFile, type ParityOrders, type PrimaryOrders } from './node-orders.js';

export type StartMode = 'run' | 'init' | 'replace';

/** Bad input to a node's start (a mode its directory does not fit, a member it does not know): one line, exit 2. */
export class NodeSetupError extends Error {
  override readonly name = 'NodeSetupError';
}

export async function prepareOrders(cluster: ClusterConfig, spec: PrimarySpec | ParitySpec, mode: StartMode, members?: readonly string[]): Promise<OrdersFile> {
  const files = nodeFiles(spec.dir);
  const existing = await OrdersFile.load(files.orders);
  const array = (await Promise.all([files.image, files.sidecar, files.journal].map(exists))).some(Boolean);
  const who = `${spec.name} (${spec.dir})`;
  if (mode === 'run') {
    if (existing === undefined) throw new NodeSetupError(`${who}: never installed here (no orders.json): --init for a new cluster, --replace for a replacement array`);
    if (!(await exists(files.image)) || !(await exists(files.journal))) throw new NodeSetupError(`${who}: its array is gone (image or journal missing): it was lost; start it on a replacement with \`xorsim cluster replace\``);
    checkGeometry(who, cluster, spec, existing.current);
    return existing;
  }
  if (mode === 'init') {
    if (existing !== undefined || array) throw new NodeSetupError(`${who}: already installed (orders.json or array files exist): start it without --init`);
    return OrdersFile.create(files.orders, firstOrders(cluster, spec));
  }
  if (array) throw new NodeSetupError(`${who}: still holds its array (image, sidecar or journal): a replacement starts empty — \`xorsim cluster fail\` it first`);
  return OrdersFile.create(files.orders, replacementOrders(cluster, spec, existing?.current, members));
}

/** The orders of a new cluster's node. */
function firstOrders(cluster: ClusterConfig, spec: PrimarySpec | ParitySpec): Orders {
  const geometry = { blockBytes: cluster.blockBytes, blocks: spec.blocks };
  if (spec.role === 'primary') return { role: 'primary', ...geometry, membership: spec.member ? 'member' : 'outside', restore: false } satisfies PrimaryOrders;
  const installed = cluster.primaries.filter((p) => p.member).map((p) => ({ name: p.name, blockCount: p.blocks, joining: false }));
  return { role: 'parity', ...geometry, installed, rebuild: [] } satisfies ParityOrders;
}

/**
 * The orders of a replacement array. A primary keeps its membership (the
 * operator's, not the array's) and is to be restored. A parity array is
 * installed for `members` — the primaries that are members or joining, which
 * only they can say (`xorsim cluster replace` asks them) — each to be merged.
 */
function replacementOrders(cluster: ClusterConfig, spec: PrimarySpec | ParitySpec, old: Orders | undefined, members: readonly string[] | undefined): Orders {
  const geometry = { blockBytes: cluster.blockBytes, blocks: spec.blocks };
  if (spec.role === 'primary') {
    const membership = old?.role === 'primary' ? old.membership : spec.member ? 'member' : 'outside';
    return { role: 'primary', ...geometry, membership, restore: true } satisfies PrimaryOrders;
  }
  if (members === undefined) throw new NodeSetupError(`${spec.name}: a replacement parity array needs --members (the primaries in the group: \`xorsim cluster replace\` asks them)`);
  const installed = members.map((name) => {
    const p = cluster.primaries.find((q) => q.name === name);
    if (p === undefined) throw new NodeSetupError(`--members: no primary named "${name}" in ${cluster.file} (primaries: ${cluster.primaries.map((q) => q.name).join(', ')})`);
    return { name, blockCount: p.blocks, joining: cluster.protocol === 'hardened' };
  });
  return { role: 'parity', ...geometry, installed, rebuild: [...members] } satisfies ParityOrders;
}

/** An array's image has no header: its block size and count are the ones it was installed with, and the cluster file must still say so. */
function checkGeometry(who: string, cluster: ClusterConfig, spec: PrimarySpec | ParitySpec, orders: Orders): void {
  if (orders.role !== spec.role) throw new NodeSetupError(`${who}: installed as ${orders.role}, but the cluster file makes it a ${spec.role}`);
  if (orders.blockBytes !== cluster.blockBytes || orders.blocks !== spec.blocks) {
    throw new NodeSetupError(`${who}: installed with ${orders.blocks} blocks of ${orders.blockBytes} B, but the cluster file says ${spec.blocks} of ${cluster.blockBytes} B (an array's geometry cannot change)`);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
