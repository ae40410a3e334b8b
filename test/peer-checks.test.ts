// Peers' messages are input: the codec refuses what is not a message, the
// controllers refuse what is not valid for them, and a confused peer's flood
// changes nothing and crashes nothing.
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DecodeError, decode } from '../src/protocol/codec.js';
import { MESSAGE_SPECS, type Message } from '../src/protocol/messages.js';
import { REFUSAL, checkAtParity, checkAtPrimary, isAnswer, isRequest, refusalFor, refusalName } from '../src/protocol/peer-checks.js';
import { Streams } from '../sim/engine/prng.js';
import { rogueFrame } from '../sim/faults/rogue-peer.js';
import { runScenario } from '../sim/runner/run-scenario.js';
import { scenario } from './helpers.js';

test('codec: any bytes decode to a message whose every number is a uint, or fail with a DecodeError — nothing else', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
      let m: Message;
      try {
        m = decode(bytes);
      } catch (error) {
        assert.ok(error instanceof DecodeError, String(error));
        return;
      }
      for (const [name, kind] of MESSAGE_SPECS[m.type]) {
        const v = (m as unknown as Record<string, unknown>)[name];
        if (kind === 'uint') assert.ok(Number.isSafeInteger(v) && (v as number) >= 0, `${m.type}.${name} = ${String(v)}`);
      }
    }),
    { numRuns: 3000 },
  );
});

test('codec: a number field that is NaN, negative, a fraction or past 2^53 is not a uint', () => {
  for (const bad of [Number.NaN, -1, 0.5, 2 ** 60, Number.POSITIVE_INFINITY]) {
    const frame = new Uint8Array(17);
    frame[0] = Object.keys(MESSAGE_SPECS).indexOf('copy-request');
    new DataView(frame.buffer).setFloat64(1, bad, true);
    assert.throws(() => decode(frame), (e: unknown) => e instanceof DecodeError, String(bad));
  }
});

const primary = { blockCount: 64, blockBytes: 16 };
const parity = { blockCount: 64, blockBytes: 16, senderBlocks: 32, knownPeer: true, hardened: true };

test('a primary refuses blocks past its end, wrong sizes, bad flags, and what primaries send', () => {
  assert.is(checkAtPrimary({ type: 'copy-request', id: 1, block: 63 }, primary), undefined);
  assert.is(checkAtPrimary({ type: 'copy-request', id: 1, block: 64 }, primary), 'bad-block');
  assert.is(checkAtPrimary({ type: 'restore-data', id: 1, session: 1, block: 0, lost: 0, data: new Uint8Array(15) }, primary), 'bad-size');
  assert.is(checkAtPrimary({ type: 'restore-data', id: 1, session: 1, block: 0, lost: 1, data: new Uint8Array(0) }, primary), undefined);
  assert.is(checkAtPrimary({ type: 'restore-data', id: 1, session: 1, block: 0, lost: 2, data: new Uint8Array(0) }, primary), 'bad-field');
  assert.is(checkAtPrimary({ type: 'delta-ack', block: 0, epoch: 0, seq: 0 }, primary), 'bad-field');
  assert.is(checkAtPrimary({ type: 'build-request', first: 0, count: 0 }, primary), 'bad-field');
  assert.is(checkAtPrimary({ type: 'delta', block: 0, epoch: 0, seq: 1, replaces: 0, data: new Uint8Array(16) }, primary), 'unexpected');
});

test("parity refuses non-members, a member's blocks past its own end, wrong sizes, and what parity sends", () => {
  const delta = (block: number, bytes = 16, seq = 1): Message => ({ type: 'delta', block, epoch: 0, seq, replaces: 0, data: new Uint8Array(bytes) });
  assert.is(checkAtParity(delta(31), parity), undefined);
  assert.is(checkAtParity(delta(32), parity), 'bad-block'); // within parity, past the sender's end
  assert.is(checkAtParity(delta(0, 17), parity), 'bad-size');
  assert.is(checkAtParity(delta(0, 16, 0), parity), 'bad-field');
  assert.is(checkAtParity(delta(0, 16, 0), { ...parity, hardened: false }), undefined); // literal numbers nothing
  assert.is(checkAtParity({ type: 'reconstruct-request', id: 1, block: 3 }, { ...parity, senderBlocks: undefined }), 'not-a-member');
  assert.is(checkAtParity({ type: 'join-request', id: 1, blockCount: 65 }, parity), 'bad-field');
  assert.is(checkAtParity({ type: 'join-request', id: 1, blockCount: 8 }, { ...parity, knownPeer: false }), 'unknown-peer');
  assert.is(checkAtParity({ type: 'copy-reply', id: 1, block: 0, status: 5, data: new Uint8Array(16) }, parity), 'bad-field');
  assert.is(checkAtParity({ type: 'copy-reply', id: 1, block: 0, status: 4, data: new Uint8Array(0) }, parity), 'bad-size'); // zeros written again: a whole block too
  assert.is(checkAtParity({ type: 'copy-reply', id: 1, block: 0, status: 4, data: new Uint8Array(16) }, parity), undefined);
  assert.is(checkAtParity({ type: 'copy-reply', id: 1, block: 0, status: 3, data: new Uint8Array(0) }, parity), 'bad-size'); // a lost block's zeros are a whole block
  assert.is(checkAtParity({ type: 'copy-reply', id: 1, block: 0, status: 3, data: new Uint8Array(16) }, parity), undefined);
  assert.is(checkAtParity({ type: 'build-request', first: 0, count: 8 }, parity), 'unexpected');
  // Requests get a refusal back; anything else is only dropped.
  assert.equal(refusalFor({ type: 'reconstruct-request', id: 7, block: 3 }, 'not-a-member'), { type: 'refused', id: 7, reason: 1 });
  assert.is(refusalFor(delta(32), 'bad-block'), undefined);
});

test('every check at its boundary: the last value taken, the first refused', () => {
  const P = (m: Message) => checkAtPrimary(m, primary); // 64 blocks of 16 bytes
  const b = (n: number) => new Uint8Array(n);
  // A primary.
  assert.is(P({ type: 'build-request', first: 63, count: 1 }), undefined);
  assert.is(P({ type: 'build-request', first: 64, count: 1 }), 'bad-block');
  assert.is(P({ type: 'build-request', first: 0, count: 2 ** 20 }), undefined);
  assert.is(P({ type: 'build-request', first: 0, count: 2 ** 20 + 1 }), 'bad-field');
  assert.is(P({ type: 'delta-ack', block: 63, epoch: 0, seq: 1 }), undefined);
  assert.is(P({ type: 'delta-ack', block: 64, epoch: 0, seq: 1 }), 'bad-block');
  assert.is(P({ type: 'join-copy-request', id: 1, block: 63 }), undefined);
  assert.is(P({ type: 'join-copy-request', id: 1, block: 64 }), 'bad-block');
  assert.is(P({ type: 'repair-request', id: 1, block: 63, lost: 1 }), undefined);
  assert.is(P({ type: 'repair-request', id: 1, block: 0, lost: 2 }), 'bad-field');
  assert.is(P({ type: 'repair-request', id: 1, block: 64, lost: 0 }), 'bad-block');
  assert.is(P({ type: 'restore-data', id: 1, session: 1, block: 63, lost: 0, data: b(16) }), undefined);
  assert.is(P({ type: 'restore-data', id: 1, session: 1, block: 64, lost: 0, data: b(16) }), 'bad-block');
  assert.is(P({ type: 'restore-data', id: 1, session: 1, block: 0, lost: 1, data: b(16) }), 'bad-size');
  assert.is(P({ type: 'restore-data', id: 1, session: 1, block: 0, lost: 0, data: b(0) }), 'bad-size');
  assert.is(P({ type: 'reconstruct-reply', id: 1, block: 63, lost: 0, data: b(16) }), undefined);
  assert.is(P({ type: 'reconstruct-reply', id: 1, block: 63, lost: 1, data: b(0) }), undefined);
  assert.is(P({ type: 'reconstruct-reply', id: 1, block: 64, lost: 0, data: b(16) }), 'bad-block');
  assert.is(P({ type: 'reconstruct-reply', id: 1, block: 0, lost: 1, data: b(16) }), 'bad-size');
  assert.is(P({ type: 'reconstruct-reply', id: 1, block: 0, lost: 0, data: b(15) }), 'bad-size');
  assert.is(P({ type: 'reconstruct-reply', id: 1, block: 0, lost: 2, data: b(0) }), 'bad-field');
  assert.is(P({ type: 'refused', id: 1, reason: 6 }), undefined);
  assert.is(P({ type: 'refused', id: 1, reason: 7 }), 'bad-field');
  assert.is(P({ type: 'refused', id: 1, reason: 0 }), 'bad-field');
  for (const type of ['restore-complete', 'restore-begin', 'join-begin', 'leave-complete', 'join-complete'] as const) {
    assert.is(P({ type, id: 1, session: 1, epoch: 1 } as Message), undefined, type);
  }
  for (const type of ['block-copy', 'copy-reply', 'join-request', 'leave-request', 'restore-request', 'reconstruct-request', 'restore-ack', 'join-copy', 'join-ack', 'repair-done'] as const) {
    assert.is(P({ type, id: 1, block: 0, data: b(16) } as unknown as Message), 'unexpected', type);
  }
  // The parity array (64 blocks of 16 bytes; the sender has 32).
  const Q = (m: Message, v: Partial<typeof parity> = {}) => checkAtParity(m, { ...parity, ...v });
  const stranger = { senderBlocks: undefined, knownPeer: false };
  assert.is(Q({ type: 'join-request', id: 1, blockCount: 64 }), undefined);
  assert.is(Q({ type: 'join-request', id: 1, blockCount: 1 }), undefined);
  assert.is(Q({ type: 'join-request', id: 1, blockCount: 0 }), 'bad-field');
  assert.is(Q({ type: 'join-request', id: 1, blockCount: 8 }, { senderBlocks: undefined }), undefined, 'a known peer not in the group may join');
  assert.is(Q({ type: 'leave-request', id: 1 }), undefined);
  assert.is(Q({ type: 'leave-request', id: 1 }, stranger), 'unknown-peer');
  assert.is(Q({ type: 'restore-request', id: 1, epoch: 0, resume: 1 }), undefined);
  assert.is(Q({ type: 'restore-request', id: 1, epoch: 0, resume: 2 }), 'bad-field');
  assert.is(Q({ type: 'restore-request', id: 1, epoch: 0, resume: 0 }, { senderBlocks: undefined }), 'not-a-member');
  assert.is(Q({ type: 'reconstruct-request', id: 1, block: 31 }), undefined);
  assert.is(Q({ type: 'reconstruct-request', id: 1, block: 32 }), 'bad-block');
  assert.is(Q({ type: 'reconstruct-request', id: 1, block: 63 }, { senderBlocks: 100 }), undefined);
  assert.is(Q({ type: 'reconstruct-request', id: 1, block: 64 }, { senderBlocks: 100 }), 'bad-block', "past parity's end");
  assert.is(Q({ type: 'delta', block: 0, epoch: 0, seq: 1, replaces: 0, data: b(16) }, { senderBlocks: undefined }), 'not-a-member');
  assert.is(Q({ type: 'delta', block: 0, epoch: 0, seq: 1, replaces: 0, data: b(15) }), 'bad-size');
  assert.is(Q({ type: 'block-copy', block: 31, data: b(16) }), undefined);
  assert.is(Q({ type: 'block-copy', block: 31, data: b(0) }), undefined);
  assert.is(Q({ type: 'block-copy', block: 32, data: b(16) }), 'bad-block');
  assert.is(Q({ type: 'block-copy', block: 0, data: b(15) }), 'bad-size');
  assert.is(Q({ type: 'block-copy', block: 0, data: b(16) }, { senderBlocks: undefined }), 'not-a-member');
  assert.is(Q({ type: 'copy-reply', id: 1, block: 0, status: 2, data: b(0) }), undefined);
  assert.is(Q({ type: 'copy-reply', id: 1, block: 0, status: 2, data: b(16) }), 'bad-size');
  assert.is(Q({ type: 'copy-reply', id: 1, block: 0, status: 0, data: b(16) }), undefined);
  assert.is(Q({ type: 'copy-reply', id: 1, block: 0, status: 1, data: b(0) }), 'bad-size');
  assert.is(Q({ type: 'join-copy', id: 1, block: 0, epoch: 0, reflectsUpTo: 0, data: b(16) }), undefined);
  assert.is(Q({ type: 'join-copy', id: 1, block: 0, epoch: 0, reflectsUpTo: 0, data: b(0) }), undefined);
  assert.is(Q({ type: 'join-copy', id: 1, block: 0, epoch: 0, reflectsUpTo: 0, data: b(15) }), 'bad-size');
  assert.is(Q({ type: 'refused', id: 1, reason: 1 }), undefined);
  assert.is(Q({ type: 'refused', id: 1, reason: 7 }), 'bad-field');
  for (const type of ['restore-ack', 'join-ack', 'repair-done'] as const) assert.is(Q({ type, id: 1, block: 0 } as Message), undefined, type);
  for (const type of ['delta-ack', 'copy-request', 'restore-data', 'restore-begin', 'join-begin', 'join-copy-request', 'join-complete', 'leave-complete', 'reconstruct-reply', 'repair-request', 'restore-complete'] as const) {
    assert.is(Q({ type, id: 1, block: 0, data: b(16) } as unknown as Message), 'unexpected', type);
  }
});

test('requests and answers by type; refusal codes and names', () => {
  const requests = ['copy-request', 'join-copy-request', 'repair-request', 'restore-data', 'restore-complete', 'join-complete', 'join-request', 'leave-request', 'restore-request', 'reconstruct-request'];
  const answers = ['restore-begin', 'reconstruct-reply', 'join-begin', 'leave-complete', 'refused', 'copy-reply', 'restore-ack', 'join-copy', 'join-ack', 'repair-done'];
  for (const type of Object.keys(MESSAGE_SPECS)) {
    const m = { type, id: 9 } as unknown as Message;
    assert.is(isRequest(m), requests.includes(type), `${type} is a request`);
    assert.is(isAnswer(m), answers.includes(type), `${type} is an answer`);
    assert.equal(refusalFor(m, 'bad-field'), requests.includes(type) ? { type: 'refused', id: 9, reason: 5 } : undefined, type);
  }
  assert.equal(REFUSAL, { 'not-a-member': 1, 'unknown-peer': 2, 'bad-block': 3, 'bad-size': 4, 'bad-field': 5, unexpected: 6 });
  assert.equal([0, 1, 2, 3, 4, 5, 6, 7].map(refusalName), ['unknown', 'not-a-member', 'unknown-peer', 'bad-block', 'bad-size', 'bad-field', 'unexpected', 'unknown']);
});

test('every frame a confused peer sends fails either decoding or the receiver’s checks', () => {
  const rng = new Streams(1).stream('test/rogue');
  for (const role of ['primary', 'parity'] as const) {
    for (const stranger of [false, true]) {
      const target = { role, blockCount: 64, blockBytes: 16, hardened: true };
      for (let i = 0; i < 2000; i++) {
        const frame = rogueFrame(rng, target, stranger);
        let m: Message;
        try {
          m = decode(frame);
        } catch {
          continue;
        }
        // A stray answer passes the checks but matches no request: it has an id no controller issues.
        const stray = 'id' in m && m.id > 2 ** 52;
        const verdict =
          role === 'primary'
            ? stranger
              ? 'not-a-member'
              : checkAtPrimary(m, target)
            : checkAtParity(m, { ...target, senderBlocks: stranger ? undefined : 32, knownPeer: !stranger });
        assert.ok(verdict !== undefined || stray, `${role} ${stranger ? 'stranger' : 'peer'}: ${m.type} passed`);
      }
    }
  }
});

test('a flood of confused frames during a restore and a join: nothing acted on, nothing crashes, every check passes', async () => {
  const s = scenario({
    primaries: [{ blocks: 128 }, { blocks: 128 }, { blocks: 128, member: false }],
    network: { model: 'lossy', latency: '50us', loss: '1%', duplicate: '1%', reorder: '1%' },
    workload: { duration: '300ms', iodepth: 4, thinkTime: '500us', readFraction: 0.4 },
    faults: {
      schedule: [
        { at: '5ms', do: 'rogue-messages', array: 'parity', count: 300 },
        { at: '5ms', do: 'rogue-messages', array: 'p1', count: 200, from: 'parity' },
        { at: '40ms', do: 'fail-array', array: 'p2', replaceAfter: '10ms' },
        { at: '55ms', do: 'rogue-messages', array: 'parity', count: 200, from: 'p2' },
        { at: '100ms', do: 'join', array: 'p3' },
        { at: '102ms', do: 'rogue-messages', array: 'p3', count: 200 },
      ],
    },
  });
  for (const seed of [1, 2]) {
    const r = await runScenario(s, { seed, file: 'test' });
    assert.is(r.verdict, 'pass', JSON.stringify(r.violations[0]));
    assert.ok((r.probes['peer-message-refused'] ?? 0) > 100, `refused ${r.probes['peer-message-refused']}`);
    assert.ok((r.probes['malformed-frame-dropped'] ?? 0) > 50, `malformed ${r.probes['malformed-frame-dropped']}`);
    assert.ok(r.checks.parity > 100 && r.checks.sweeps >= 2, 'parity checked throughout, swept after the restore and the join');
  }
});

test('planted: controllers that act on unchecked peer messages are caught (a crash or a violation)', async () => {
  const s = scenario({ workload: { duration: '100ms', iodepth: 2, thinkTime: '1ms' }, faults: { schedule: [{ at: '5ms', do: 'rogue-messages', array: 'parity', count: 300 }] } });
  const r = await runScenario(s, { seed: 1, file: 'test', plantedBugs: new Set(['no-peer-checks']) });
  assert.is.not(r.verdict, 'pass');
});

test.run();
