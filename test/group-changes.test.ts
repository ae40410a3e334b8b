// The parity group's changes (src/parity/group-changes.ts) where no judged
// world reaches: two lives of one member asking to join while parity journals
// the first's admission. The simulated journal finishes an append in flight
// when its controller stops, so a world sees this only with a second request
// arriving inside that append; here the journal's append is held open by hand.
// The judge runs this for a group-changes.ts mutant no run kills (UNIT_TESTS).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Group } from '../src/parity/group.js';
import { GroupChanges } from '../src/parity/group-changes.js';
import type { Joiner } from '../src/parity/joiner.js';
import type { Leaver } from '../src/parity/leaver.js';
import { Losses } from '../src/parity/losses.js';
import type { ParityLog } from '../src/parity/parity-log.js';
import type { Message } from '../src/protocol/messages.js';

/** Lets every pending continuation run. */
const drain = () => new Promise<void>((resolve) => setImmediate(resolve));

function changes() {
  const joinerCalls: string[] = [];
  const joiner = { begin: (m: { name: string }) => void joinerCalls.push(`begin ${m.name}`), restoreJoining() {}, restoreJoined() {}, restoreMerged() {}, forget() {}, members: () => [], joining: () => false } as unknown as Joiner;
  const leaver = { restoreRemoved() {}, forget() {}, entries: () => [] } as unknown as Leaver;
  const group = new Group([{ name: 'p1', blockCount: 8 }], joiner, leaver, new Losses());
  const appended: unknown[] = [];
  const holds: (() => void)[] = [];
  // Each append is durable only when the test says so.
  const log = { append: (record: unknown) => new Promise<void>((resolve) => void (appended.push(record), holds.push(resolve))) } as unknown as ParityLog;
  const sent: [string, Message][] = [];
  const net = { self: 'parity', send: (to: string, m: Message) => void sent.push([to, m]), listen() {} };
  const gc = new GroupChanges({
    name: 'parity',
    blockCount: 8,
    group,
    log,
    joiner,
    leaver,
    restorer: {} as never,
    rpc: {} as never,
    net,
    clock: {} as never,
    probe: { hit() {}, anomaly() {} },
    ready: async () => {},
    joined() {},
    left() {},
  });
  return { gc, group, appended, holds, sent, joinerCalls };
}

test("a join asked again (the member's next life) while its admission is being journaled: admitted once, both answered once it is durable", async () => {
  const c = changes();
  const first = c.gc.beginJoin('p4', 1, 8);
  await drain();
  const second = c.gc.beginJoin('p4', 2, 8);
  await drain();
  assert.is(c.appended.length, 1, 'one membership record');
  assert.equal(c.sent, [], 'no answer before the record is durable');
  assert.is(c.group.state('p4'), undefined);
  c.holds[0]!();
  await Promise.all([first, second]);
  assert.is(c.group.state('p4'), 'joining');
  assert.equal(c.joinerCalls, ['begin p4'], 'its blocks merged once');
  assert.equal(
    c.sent.map(([to, m]) => [to, m.type, 'id' in m ? m.id : undefined]),
    [
      ['p4', 'join-begin', 1],
      ['p4', 'join-begin', 2],
    ],
  );
  assert.is(c.appended.length, 1);
});

test.run();
