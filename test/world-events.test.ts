// The world's event stream (sim/world/world-events.ts): synchronous, each
// kind to its own listeners in subscription order (part of the run), a
// publication inside a listener delivered at once; a hot kind's one reused
// object reaches the same listeners.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Reused, WorldEvents } from '../sim/world/world-events.js';

test('each kind reaches its own listeners, in the order they subscribed, at once', () => {
  const events = new WorldEvents();
  const heard: string[] = [];
  events.on('joined', (e) => heard.push(`a joined ${e.array}`));
  events.on('left', (e) => heard.push(`left ${e.array}`));
  events.on('joined', (e) => {
    heard.push(`b joined ${e.array}`);
    events.publish({ kind: 'checked', after: 'joined', array: e.array, ok: true });
    heard.push('b done');
  });
  events.on('checked', (e) => heard.push(`checked ${e.after} ${e.array}`));
  events.publish({ kind: 'joined', array: 'p1' });
  events.publish({ kind: 'restored', array: 'p2' }); // nobody listens
  assert.equal(heard, ['a joined p1', 'b joined p1', 'checked joined p1', 'b done']);
});

test('a hot kind: one object, refilled, and the live list of listeners (later subscribers included)', () => {
  const events = new WorldEvents();
  const hot = new Reused(events, { kind: 'block-landed', array: '', block: 0 });
  const seen: string[] = [];
  const objects = new Set<object>();
  const publish = (array: string, block: number) => {
    hot.event.array = array;
    hot.event.block = block;
    for (const listener of hot.listeners) listener(hot.event);
  };
  events.on('block-landed', (e) => {
    objects.add(e);
    seen.push(`1 ${e.array}[${e.block}]`);
  });
  publish('p1', 3);
  events.on('block-landed', (e) => seen.push(`2 ${e.array}[${e.block}]`));
  publish('parity', 4);
  events.publish({ kind: 'block-landed', array: 'p2', block: 5 }); // the general path reaches the same listeners
  assert.equal(seen, ['1 p1[3]', '1 parity[4]', '2 parity[4]', '1 p2[5]', '2 p2[5]']);
  assert.is(objects.size, 2, 'the hot path reuses one object; the general path hands its own');
});

test.run();
