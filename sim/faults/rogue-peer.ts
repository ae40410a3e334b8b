// The frames of fault `rogue-messages` (kinds/rogue-messages.ts): a buggy or
// confused peer. It puts frames on the wire to one array that a correct
// controller must recognise as invalid and refuse or drop — never act on,
// never crash over:
//
//   garbage       random bytes; an unknown type byte; a valid message cut short
//                 or with bytes after its end; a number field that is not a
//                 uint (NaN, negative, a fraction, past 2^53)
//   out of range  a well-formed message about a block past the arrays' end,
//                 data of the wrong length, a flag or status outside its values
//   wrong role    a well-formed message of a type the receiver never takes
//                 (a delta sent to a primary, a build request to parity)
//   stray answer  an answer to a request nobody made (an id no one issued)
//   stranger      any of the above, plus well-formed requests (join, restore,
//                 reconstruct, leave, a delta), from a node outside the
//                 installation
//
// What it never sends is a well-formed, plausible message in a real node's
// name (a delta-ack parity did not send, a restore request a member did not
// make): no check can tell those from the real thing without authenticated
// links, so they are outside this fault model.
import { encode } from '../../src/protocol/codec.js';
import type { Message } from '../../src/protocol/messages.js';
import { MESSAGE_TYPES } from '../../src/protocol/messages.js';
import type { Engine } from '../engine/engine.js';
import type { Random } from '../engine/prng.js';
import type { FaultWorld } from './fault-world.js';

/** What a `rogue-messages` entry asks for (kinds/rogue-messages.ts). */
export interface RogueFault {
  readonly array: string;
  readonly count: number;
  readonly from?: string | undefined;
}

/** The name a stranger's frames come from: no node of any scenario has it. */
export const STRANGER = 'stranger';

export interface RogueTarget {
  readonly role: 'primary' | 'parity';
  /** The receiver's blocks, and the block size in stored bytes. */
  readonly blockCount: number;
  readonly blockBytes: number;
  /** literal numbers its deltas 0: a seq-0 delta is well-formed there. */
  readonly hardened: boolean;
}

/** Frames between two sends of one `rogue-messages` fault. */
const SPACING_US = 50;

/** Sends the fault's frames, one every SPACING_US; each that does not decode is counted as the probe `malformed-frame-dropped`. */
export function sendRogueFrames(engine: Engine, world: FaultWorld, fault: RogueFault): void {
  const rng = engine.random.stream(`faults/rogue/${fault.array}`);
  const node = world.node(fault.array);
  const target: RogueTarget = {
    role: fault.array === world.parity.name ? 'parity' : 'primary',
    blockCount: node.device.blockCount,
    blockBytes: world.scenario.payloadBytes,
    hardened: world.scenario.protocol === 'hardened',
  };
  const from = fault.from ?? STRANGER;
  for (let i = 0; i < fault.count; i++) {
    engine.after(i * SPACING_US, engine.trace.kind('fault.rogue'), () => {
      world.network.inject(from, fault.array, rogueFrame(rng, target, from === STRANGER), () => world.probes.hit('malformed-frame-dropped'));
    });
  }
}

/** Request ids no controller issues (boot numbers stop below 2^21). */
function strayId(rng: Random): number {
  return 2 ** 53 - 1 - rng.int(1 << 20);
}

/** One frame a correct receiver must refuse or drop; `stranger`: sent in a stranger's name (then also well-formed requests). */
export function rogueFrame(rng: Random, t: RogueTarget, stranger: boolean): Uint8Array {
  const kinds = ['garbage', 'out-of-range', 'wrong-role', 'stray-answer', ...(stranger ? ['stranger-request', 'stranger-request'] : [])] as const;
  switch (rng.pick(kinds)) {
    case 'garbage':
      return garbage(rng, t);
    case 'out-of-range':
      return encode(outOfRange(rng, t));
    case 'wrong-role':
      return encode(wrongRole(rng, t));
    case 'stray-answer':
      return encode(strayAnswer(rng, t));
    default:
      return encode(strangerRequest(rng, t));
  }
}

function data(rng: Random, bytes: number): Uint8Array {
  return rng.fill(new Uint8Array(bytes));
}

/** A frame that does not decode. */
function garbage(rng: Random, t: RogueTarget): Uint8Array {
  const valid = encode(strangerRequest(rng, t));
  switch (rng.int(5)) {
    case 0:
      return data(rng, rng.int(64));
    case 1: {
      const frame = valid.slice();
      frame[0] = MESSAGE_TYPES.length + rng.int(256 - MESSAGE_TYPES.length);
      return frame;
    }
    case 2:
      return valid.subarray(0, rng.int(valid.length));
    case 3: {
      const longer = new Uint8Array(valid.length + 1 + rng.int(16));
      longer.set(valid);
      return longer;
    }
    default: {
      // A uint field (every request's second field is one, at byte 1) that is not a uint.
      const frame = valid.slice();
      const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
      view.setFloat64(1, rng.pick([Number.NaN, -1, 0.5, 2 ** 60, Number.POSITIVE_INFINITY]), true);
      return frame;
    }
  }
}

/** Well-formed, but a block, a size or a flag out of range for the receiver. */
function outOfRange(rng: Random, t: RogueTarget): Message {
  const id = strayId(rng);
  const beyond = t.blockCount + rng.int(1 << 16);
  const wrongSize = t.blockBytes + 1 + rng.int(64);
  if (t.role === 'primary') {
    return rng.pick<Message>([
      { type: 'copy-request', id, block: beyond },
      { type: 'repair-request', id, block: beyond, lost: 0 },
      { type: 'repair-request', id, block: 0, lost: 2 },
      { type: 'build-request', first: beyond, count: 64 },
      { type: 'build-request', first: 0, count: 0 },
      { type: 'delta-ack', block: beyond, epoch: 0, seq: 1 },
      { type: 'delta-ack', block: 0, epoch: 0, seq: 0 },
      { type: 'restore-data', id, session: 1, block: 0, lost: 0, data: data(rng, wrongSize) },
      { type: 'restore-data', id, session: 1, block: 0, lost: 2, data: new Uint8Array(0) },
      { type: 'reconstruct-reply', id, block: 0, lost: 0, data: data(rng, wrongSize) },
      { type: 'refused', id, reason: 99 },
    ]);
  }
  return rng.pick<Message>([
    { type: 'delta', block: beyond, epoch: 0, seq: 1 + rng.int(1000), replaces: 0, data: data(rng, t.blockBytes) },
    { type: 'delta', block: 0, epoch: 0, seq: 1, replaces: 0, data: data(rng, wrongSize) },
    ...(t.hardened ? [{ type: 'delta', block: 0, epoch: 0, seq: 0, replaces: 0, data: data(rng, t.blockBytes) } as const] : []),
    { type: 'block-copy', block: beyond, data: data(rng, t.blockBytes) },
    { type: 'block-copy', block: 0, data: data(rng, wrongSize) },
    { type: 'reconstruct-request', id, block: beyond },
    { type: 'restore-request', id, epoch: 0, resume: 2 + rng.int(100) },
    { type: 'join-request', id, blockCount: t.blockCount + 1 + rng.int(1000) },
    { type: 'join-request', id, blockCount: 0 },
    { type: 'copy-reply', id, block: 0, status: 3 + rng.int(100), data: new Uint8Array(0) },
    { type: 'copy-reply', id, block: 0, status: 0, data: data(rng, wrongSize) },
    { type: 'join-copy', id, block: 0, epoch: 0, reflectsUpTo: 0, data: data(rng, wrongSize) },
    { type: 'refused', id, reason: 0 },
  ]);
}

/** Well-formed, of a type the receiver never takes in its role. */
function wrongRole(rng: Random, t: RogueTarget): Message {
  const id = strayId(rng);
  const block = rng.int(t.blockCount);
  const d = data(rng, t.blockBytes);
  if (t.role === 'primary') {
    return rng.pick<Message>([
      { type: 'delta', block, epoch: 0, seq: 1, replaces: 0, data: d },
      { type: 'block-copy', block, data: d },
      { type: 'copy-reply', id, block, status: 0, data: d },
      { type: 'join-request', id, blockCount: t.blockCount },
      { type: 'restore-request', id, epoch: 0, resume: 0 },
      { type: 'reconstruct-request', id, block },
      { type: 'restore-ack', id, block },
      { type: 'join-ack', id },
    ]);
  }
  return rng.pick<Message>([
    { type: 'build-request', first: 0, count: 8 },
    { type: 'delta-ack', block, epoch: 0, seq: 1 },
    { type: 'copy-request', id, block },
    { type: 'restore-data', id, session: 1, block, lost: 0, data: d },
    { type: 'restore-complete', id, session: 1 },
    { type: 'repair-request', id, block, lost: 0 },
    { type: 'join-copy-request', id, block },
    { type: 'join-complete', id },
    { type: 'restore-begin', id, epoch: 0, session: 1 },
    { type: 'reconstruct-reply', id, block, lost: 0, data: d },
  ]);
}

/** An answer to no request: an id no controller issued. */
function strayAnswer(rng: Random, t: RogueTarget): Message {
  const id = strayId(rng);
  const block = rng.int(t.blockCount);
  const d = data(rng, t.blockBytes);
  if (t.role === 'primary') {
    return rng.pick<Message>([
      { type: 'restore-begin', id, epoch: 1, session: 1 },
      { type: 'reconstruct-reply', id, block, lost: 0, data: d },
      { type: 'join-begin', id, epoch: 0 },
      { type: 'leave-complete', id },
      { type: 'refused', id, reason: 1 },
    ]);
  }
  return rng.pick<Message>([
    { type: 'copy-reply', id, block, status: 0, data: d },
    { type: 'join-copy', id, block, epoch: 0, reflectsUpTo: 0, data: d },
    { type: 'restore-ack', id, block },
    { type: 'join-ack', id },
    { type: 'repair-done', id, block },
    { type: 'refused', id, reason: 1 },
  ]);
}

/** Well-formed requests that only a stranger's name makes invalid. */
function strangerRequest(rng: Random, t: RogueTarget): Message {
  const id = strayId(rng);
  const block = rng.int(t.blockCount);
  const d = data(rng, t.blockBytes);
  if (t.role === 'primary') {
    return rng.pick<Message>([
      { type: 'copy-request', id, block },
      { type: 'repair-request', id, block, lost: 0 },
      { type: 'join-copy-request', id, block },
      { type: 'restore-data', id, session: 1, block, lost: 0, data: d },
      { type: 'restore-complete', id, session: 1 },
      { type: 'delta-ack', block, epoch: 0, seq: 1 },
      { type: 'build-request', first: 0, count: 8 },
    ]);
  }
  return rng.pick<Message>([
    { type: 'join-request', id, blockCount: t.blockCount },
    { type: 'leave-request', id },
    { type: 'restore-request', id, epoch: 0, resume: 0 },
    { type: 'reconstruct-request', id, block },
    { type: 'delta', block, epoch: 0, seq: 1, replaces: 0, data: d },
    { type: 'block-copy', block, data: d },
  ]);
}
