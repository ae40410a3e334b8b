// What every Clock a controller is given must do (src/ports/clock.ts), as
// test bodies the simulated and the system clock both run (clock.test.ts).
// Delays are a few milliseconds, so the real clock's run stays short.
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Clock } from '../../src/ports/clock.js';
import { type Driver, type Each, eachOn } from './driver.js';

export interface ClockSubject {
  readonly clock: Clock;
  readonly driver: Driver;
  /** Failures reported as fatal so far (a background task that threw, in the simulator a crash). */
  fatal(): unknown[];
  dispose(): Promise<void>;
}

export type ClockFactory = () => Promise<ClockSubject>;

const MS = 1000;

/** Registers the Clock conformance tests on `suite`. */
export function clockConformance(suite: Test, factory: ClockFactory): void {
  const each = eachOn(suite, factory);
  time(each);
  ordering(each);
  tasks(each);
}

function time(each: Each<ClockSubject>): void {
  each('now() is a whole number of µs and never goes back', async ({ clock }, d) => {
    let last = clock.now();
    for (let i = 0; i < 20; i++) {
      await d.settle(clock.sleep(100));
      const t = clock.now();
      assert.ok(Number.isSafeInteger(t), `${t}`);
      assert.ok(t >= last, `${t} after ${last}`);
      last = t;
    }
  });

  each('sleep(us) ends no earlier than us later on now(), for 0, sub-millisecond and longer waits', async ({ clock }, d) => {
    for (const us of [0, 1, 250, 1 * MS, 3 * MS, 7.5 * MS]) {
      const start = clock.now();
      await d.settle(clock.sleep(us));
      assert.ok(clock.now() - start >= us, `sleep(${us}) took ${clock.now() - start} µs`);
    }
  });

  each('timers fire in deadline order, whatever order they were set in, each no earlier than its delay', async ({ clock }, d) => {
    const delays = [12 * MS, 3 * MS, 0, 9 * MS, 6 * MS, 1];
    const start = clock.now();
    const fired: { delay: number; at: number }[] = [];
    const all = new Promise<void>((resolve) => {
      for (const delay of delays)
        clock.timer(delay, () => {
          fired.push({ delay, at: clock.now() - start });
          if (fired.length === delays.length) resolve();
        });
    });
    await d.settle(all);
    assert.equal(fired.map((f) => f.delay), [...delays].sort((a, b) => a - b));
    for (const f of fired) assert.ok(f.at >= f.delay, `timer(${f.delay}) fired at +${f.at} µs`);
  });
}

function ordering(each: Each<ClockSubject>): void {
  each('timers with the same delay set one after the other fire in the order set', async ({ clock }, d) => {
    const fired: number[] = [];
    const done = new Promise<void>((resolve) => {
      for (let i = 0; i < 5; i++) clock.timer(2 * MS, () => void (fired.push(i) === 5 && resolve()));
    });
    await d.settle(done);
    assert.equal(fired, [0, 1, 2, 3, 4]);
  });

  each('a cancelled timer never fires; cancelling one that fired, or twice, is harmless', async ({ clock }, d) => {
    const fired: string[] = [];
    const a = clock.timer(1 * MS, () => void fired.push('a'));
    const b = clock.timer(2 * MS, () => void fired.push('b'));
    clock.timer(3 * MS, () => void fired.push('c'));
    b.cancel();
    b.cancel();
    await d.settle(clock.sleep(6 * MS));
    assert.equal(fired, ['a', 'c']);
    a.cancel();
    await d.settle(clock.sleep(1 * MS));
    assert.equal(fired, ['a', 'c']);
  });

  each('a timer set from a timer fires after it, by its own delay; a sleep ends among timers by its deadline', async ({ clock }, d) => {
    const order: string[] = [];
    let outerAt = 0;
    let innerAt = 0;
    clock.timer(1 * MS, () => {
      order.push('outer');
      outerAt = clock.now();
      clock.timer(1 * MS, () => {
        order.push('inner');
        innerAt = clock.now();
      });
    });
    clock.timer(8 * MS, () => void order.push('late'));
    await d.settle(clock.sleep(4 * MS).then(() => void order.push('sleep')));
    await d.settle(clock.sleep(6 * MS));
    assert.ok(order.indexOf('outer') < order.indexOf('inner'), order.join());
    assert.ok(innerAt - outerAt >= 1 * MS, `inner fired ${innerAt - outerAt} µs after outer`);
    assert.ok(order.indexOf('sleep') < order.indexOf('late'), order.join());
    assert.is(order.length, 4);
  });
}

function tasks(each: Each<ClockSubject>): void {
  each('spawn runs the task after spawn returns, never inside the call; tasks run side by side', async (s, d) => {
    const clock = s.clock;
    const order: string[] = [];
    const done: Promise<void>[] = [];
    for (const name of ['x', 'y']) {
      done.push(
        new Promise<void>((resolve) =>
          clock.spawn(name, async () => {
            order.push(`${name} start`);
            await clock.sleep(name === 'x' ? 4 * MS : 1 * MS);
            order.push(`${name} end`);
            resolve();
          }),
        ),
      );
    }
    order.push('spawned');
    await d.settle(Promise.all(done));
    assert.equal(order, ['spawned', 'x start', 'y start', 'y end', 'x end']);
    assert.equal(s.fatal(), []);
  });

  each('a spawned task that fails is reported as fatal, never swallowed', async (s, d) => {
    const clock = s.clock;
    clock.spawn('doomed', async () => {
      await clock.sleep(1 * MS);
      throw new Error('broken invariant');
    });
    await d.until(() => s.fatal().length > 0, 50 * MS);
    assert.is(s.fatal().length, 1);
    assert.match(String(s.fatal()[0]), /broken invariant/);
  });
}
