// What every Transport a controller is given must do (src/ports/transport.ts),
// as test bodies the simulated networks and TCP all run (transport.test.ts).
//
// The port promises little — a message may be lost, duplicated, delayed or
// reordered — and the controllers retransmit. So the suite asks what a
// healthy link must still do (deliver, once, with the sender's name, an
// unshared copy), and across a peer's restart what a retransmitting sender
// needs: that resending reaches the new life, and nothing reaches the dead one.
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Clock } from '../../src/ports/clock.js';
import type { NodeId, Transport } from '../../src/ports/transport.js';
import type { Message } from '../../src/protocol/messages.js';
import { type Driver, type Each, eachOn, pattern } from './driver.js';

export const NODES = ['a', 'b', 'c'] as const;

export interface TransportWorld {
  readonly driver: Driver;
  /** The clock a retransmitting sender would use. */
  readonly clock: Clock;
  /** The current endpoint of a node of NODES (every node knows every other). */
  endpoint(name: NodeId): Transport;
  /** The node stops: its endpoint sends and hears nothing more. */
  down(name: NodeId): Promise<void>;
  /** The node starts again, where it was, as a new life: its new endpoint (listening to nothing yet). */
  up(name: NodeId): Promise<Transport>;
  /** Failures reported as fatal (a handler that threw or rejected). */
  fatal(): unknown[];
  dispose(): Promise<void>;
}

export type TransportFactory = () => Promise<TransportWorld>;

const MS = 1000;
const delta = (seq: number, data = pattern(seq, 16)): Message => ({ type: 'delta', block: seq % 7, epoch: 3, seq, replaces: 0, data });
const seqOf = (m: Message) => (m.type === 'delta' ? m.seq : -1);

/** Registers the Transport conformance tests on `suite`. */
export function transportConformance(suite: Test, factory: TransportFactory): void {
  const each = eachOn(suite, factory);
  delivery(each);
  addressing(each);
  restarts(each);
}

function delivery(each: Each<TransportWorld>): void {
  each('a message arrives once, with its sender’s name and every field intact', async (w, d) => {
    const got: [NodeId, Message][] = [];
    w.endpoint('b').listen((from, m) => void got.push([from, m]));
    const sent = delta(41, pattern(5, 33));
    w.endpoint('a').send('b', sent);
    assert.ok(await d.until(() => got.length > 0, 2000 * MS), 'delivered');
    await d.until(() => false, 5 * MS); // room for a duplicate to show
    assert.is(got.length, 1);
    assert.is(got[0]![0], 'a');
    assert.equal(got[0]![1], sent);
    assert.is(w.endpoint('a').self, 'a');
  });

  each('buffers are never shared: the sender may reuse its buffer at once, and the receiver gets its own copy', async (w, d) => {
    const got: Message[] = [];
    w.endpoint('b').listen((_from, m) => void got.push(m));
    const data = pattern(6, 64);
    const kept = [...data];
    w.endpoint('a').send('b', { type: 'block-copy', block: 2, data });
    data.fill(0);
    assert.ok(await d.until(() => got.length > 0, 2000 * MS));
    const m = got[0]!;
    assert.ok(m.type === 'block-copy');
    if (m.type === 'block-copy') assert.equal([...m.data], kept);
  });

  each('on a healthy link, each of 300 messages arrives exactly once', async (w, d) => {
    const got: number[] = [];
    w.endpoint('b').listen((_from, m) => void got.push(seqOf(m)));
    for (let seq = 1; seq <= 300; seq++) w.endpoint('a').send('b', delta(seq));
    assert.ok(await d.until(() => got.length >= 300, 5000 * MS), `${got.length} of 300`);
    await d.until(() => false, 5 * MS);
    assert.equal([...got].sort((x, y) => x - y), Array.from({ length: 300 }, (_, i) => i + 1));
  });

  each('a 1 MiB message arrives whole', async (w, d) => {
    let got: Message | undefined;
    w.endpoint('b').listen((_from, m) => void (got = m));
    const data = pattern(7, 1024 * 1024);
    w.endpoint('a').send('b', { type: 'block-copy', block: 9, data });
    assert.ok(await d.until(() => got !== undefined, 5000 * MS));
    const m = got as Message | undefined;
    assert.ok(m?.type === 'block-copy' && m.data.length === data.length && m.data.every((b, i) => b === data[i]));
  });
}

function addressing(each: Each<TransportWorld>): void {
  each('several senders, both directions: each message names its own sender', async (w, d) => {
    const at = new Map<NodeId, string[]>(NODES.map((n) => [n, []]));
    for (const n of NODES) w.endpoint(n).listen((from, m) => void at.get(n)!.push(`${from}:${seqOf(m)}`));
    w.endpoint('a').send('c', delta(1));
    w.endpoint('b').send('c', delta(2));
    w.endpoint('c').send('a', delta(3));
    w.endpoint('c').send('b', delta(4));
    assert.ok(await d.until(() => [...at.values()].flat().length >= 4, 2000 * MS));
    assert.equal([...at.get('c')!].sort(), ['a:1', 'b:2']);
    assert.equal(at.get('a'), ['c:3']);
    assert.equal(at.get('b'), ['c:4']);
  });

  each('listen replaces the handler: only the last one hears', async (w, d) => {
    const first: Message[] = [];
    const second: Message[] = [];
    w.endpoint('b').listen((_f, m) => void first.push(m));
    w.endpoint('b').listen((_f, m) => void second.push(m));
    w.endpoint('a').send('b', delta(1));
    assert.ok(await d.until(() => second.length > 0, 2000 * MS));
    assert.is(first.length, 0);
  });

  each('a send to a node nobody knows is dropped quietly, and the rest flows', async (w, d) => {
    const got: Message[] = [];
    w.endpoint('b').listen((_f, m) => void got.push(m));
    w.endpoint('a').send('nobody', delta(1));
    w.endpoint('a').send('b', delta(2));
    assert.ok(await d.until(() => got.length > 0, 2000 * MS));
    assert.equal(got.map(seqOf), [2]);
    assert.equal(w.fatal(), []);
  });
}

function restarts(each: Each<TransportWorld>): void {
  each('across a peer’s restart: resending reaches its new life, nothing reaches the old, and it can answer', async (w, d) => {
    const old: number[] = [];
    const renewed: number[] = [];
    const atA: number[] = [];
    w.endpoint('a').listen((_f, m) => void atA.push(seqOf(m)));
    w.endpoint('b').listen((_f, m) => void old.push(seqOf(m)));
    w.endpoint('a').send('b', delta(1));
    assert.ok(await d.until(() => old.length > 0, 2000 * MS));
    await w.down('b');
    w.endpoint('a').send('b', delta(2)); // to a node that is down
    await d.until(() => false, 20 * MS);
    const b = await w.up('b');
    b.listen((_f, m) => void renewed.push(seqOf(m)));
    // As a controller does: resend every 5 ms until heard.
    const resend = () => {
      if (renewed.includes(3)) return;
      w.endpoint('a').send('b', delta(3));
      w.clock.timer(5 * MS, resend);
    };
    resend();
    assert.ok(await d.until(() => renewed.includes(3), 3000 * MS), 'the restarted peer hears the resent message');
    b.send('a', delta(4));
    assert.ok(await d.until(() => atA.includes(4), 3000 * MS), 'and its answer gets back');
    assert.equal(old, [1], 'the old life heard nothing after it went down');
    assert.ok(renewed.every((s) => s === 2 || s === 3), `${renewed}`);
  });

  each('a restarted sender reaches its peers again', async (w, d) => {
    const got: number[] = [];
    w.endpoint('b').listen((_f, m) => void got.push(seqOf(m)));
    w.endpoint('a').send('b', delta(1));
    assert.ok(await d.until(() => got.length === 1, 2000 * MS));
    await w.down('a');
    const a = await w.up('a');
    a.send('b', delta(2));
    assert.ok(await d.until(() => got.includes(2), 3000 * MS));
  });

  each('a handler that rejects is reported as fatal, not swallowed', async (w, d) => {
    w.endpoint('b').listen(async () => {
      throw new Error('broken invariant');
    });
    w.endpoint('a').send('b', delta(1));
    assert.ok(await d.until(() => w.fatal().length > 0, 2000 * MS));
    assert.match(String(w.fatal()[0]), /broken invariant/);
  });
}
