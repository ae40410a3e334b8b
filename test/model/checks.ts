// What the model-based test checks, and when: after every command (verify),
// and once the commands are over and every fault has healed (settle).
import type { PrimaryController } from '../../src/primary/primary-controller.js';
import { equalBytes, xorInto } from '../../src/protocol/xor.js';
import { type ReferenceModel, hex } from './reference.js';
import type { SimSystem } from './system.js';

/** After the last command, everything must be done within this much virtual time (liveness). */
export const SETTLE_US = 20_000_000;

export function fail(r: SimSystem, message: string): never {
  throw new Error(`at ${r.engine.now}us: ${message}`);
}

/** Feeds what happened into the model (which judges each answer); throws on the first thing wrong. */
export function absorb(m: ReferenceModel, r: SimSystem): void {
  for (const h of r.take()) {
    if (h.kind === 'op-done') {
      const wrong = m.answered(h.op, h.result);
      if (wrong !== undefined) fail(r, wrong);
    } else if (h.kind === 'restored') {
      if (m.damaged === h.array) m.damaged = undefined;
    } else if (h.kind === 'left') {
      m.array(h.array).membership = 'left';
    } else if (m.rebuilding.delete(h.array)) {
      if (m.rebuilding.size === 0 && m.damaged === m.parity) m.damaged = undefined;
    } else {
      m.array(h.array).membership = 'member';
    }
  }
}

/**
 * The invariants, after every command: no checker violation or controller
 * crash (the parity checker judges every block as it settles), no block
 * reported lost, and every primary's media as the model says — except a
 * failed or restoring array (filled in as it goes; judged once restored) and
 * blocks with a host operation in flight.
 */
export function verify(m: ReferenceModel, r: SimSystem): void {
  absorb(m, r);
  r.parityChecker.sweep(); // every settled block now; the others as they settle
  const problems = r.problems();
  if (problems.length > 0) fail(r, problems[0]!);
  for (const a of m.primaries) {
    const node = r.primary(a.name);
    const lost = (node.controller as PrimaryController).lostBlocks(); // the model runs the built-in controllers
    if (lost.length > 0) fail(r, `${a.name} reports blocks ${lost.join(', ')} lost; the fault budget (one damaged array) allows no loss`);
    if (m.failed.has(a.name) || m.damaged === a.name) continue;
    for (let k = 0; k < a.blocks; k++) {
      if (m.busy(a.name, k)) continue;
      const media = node.device.store.get(k);
      const allowed = a.values[k]!;
      if (!allowed.some((v) => equalBytes(v, media))) fail(r, `durability: ${a.name}[${k}] holds ${hex(media)} on its media; the model allows ${allowed.map(hex).join(' or ')}`);
    }
  }
}

/**
 * After the last command: every fault heals (links, storm, crashed
 * controllers restart, failed arrays are replaced), then within SETTLE_US
 * everything must be done — every host operation answered, every restore,
 * join, leave and rebuild complete, no event left — and the model must hold
 * exactly: no loss, every block of every primary readable through its host
 * as the model says, and Q the XOR of the members' media.
 */
export async function settle(m: ReferenceModel, r: SimSystem): Promise<void> {
  r.world.operator.networkFaults(false);
  m.storm = false;
  for (const link of m.cuts) {
    const [from, to] = link.split('>') as [string, string];
    r.network.healOneWay(from, to);
  }
  m.cuts.clear();
  for (const node of [...m.crashed]) {
    await r.restartWhenQuiet(node);
    m.crashed.delete(node);
  }
  for (const node of [...m.failed]) {
    r.world.replaceArray(node);
    m.replaced(node);
  }
  await quiesce(m, r);
  for (const a of m.primaries) {
    if (a.membership === 'joining' || a.membership === 'leaving') fail(r, `liveness: ${a.name} still ${a.membership} ${SETTLE_US}us after the last command (${r.describeState()})`);
    const world = r.world.membership(a.name);
    if (world !== (a.membership === 'left' ? 'outside' : a.membership)) fail(r, `${a.name} is ${world} in the world but ${a.membership} in the model`);
  }
  if (m.damaged !== undefined) fail(r, `liveness: ${m.damaged} not whole again ${SETTLE_US}us after the last command (${r.describeState()})`);

  // Every block through its host, all at once.
  for (const a of m.primaries) for (let k = 0; k < a.blocks; k++) m.issued(r.read(a.name, k));
  await quiesce(m, r);

  // Parity by a god's-eye read of the media, with the model's membership.
  const q = r.world.parity.device.store;
  for (let k = 0; k < q.blockCount; k++) {
    const expected = new Uint8Array(q.blockBytes);
    for (const a of m.primaries) if (a.membership === 'member' && k < a.blocks) xorInto(expected, r.primary(a.name).device.store.get(k));
    const actual = q.get(k);
    if (!equalBytes(actual, expected)) fail(r, `parity: Q[${k}] = ${hex(actual)} but the XOR of the members is ${hex(expected)}`);
  }
}

/** Runs until nothing is left to do (bounded), then judges and verifies everything. */
async function quiesce(m: ReferenceModel, r: SimSystem): Promise<void> {
  await r.engine.run({ until: r.engine.now + SETTLE_US });
  verify(m, r);
  const left = `${SETTLE_US}us after the last command (${r.describeState()})`;
  if (r.engine.pending > 0) fail(r, `liveness: ${r.engine.pending} events still pending ${left}`);
  if (m.pendingCount > 0) fail(r, `liveness: ${m.pendingCount} host operation(s) unanswered ${left}`);
}
