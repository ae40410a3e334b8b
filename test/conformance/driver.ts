// How a conformance test lets time pass, whichever implementation it tests.
// A port's promises settle on their own with real I/O; in the simulator they
// settle only while the engine runs. A test body awaits through the driver,
// so one body serves both.
import type { Test } from 'uvu';
import type { Engine } from '../../sim/engine/engine.js';

export interface Driver {
  /** `promise`'s outcome, once time has moved far enough for it to settle (fails if it never can). */
  settle<T>(promise: Promise<T>): Promise<T>;
  /** Lets up to `budgetUs` of time pass until `done()`; returns done(). */
  until(done: () => boolean, budgetUs: number): Promise<boolean>;
}

type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/** Lets every continuation already queued run (the engine's own drain step). */
const drain = (): Promise<void> => new Promise((resolve) => process.nextTick(resolve));

/** Drives `engine`: runs it until the awaited promise settles, or the time budget ends. */
export function simDriver(engine: Engine): Driver {
  return {
    async settle<T>(promise: Promise<T>): Promise<T> {
      let outcome: Outcome<T> | undefined;
      promise.then(
        (value) => void (outcome = { ok: true, value }),
        (error: unknown) => void (outcome = { ok: false, error }),
      );
      await drain();
      if (outcome === undefined) await engine.run({ stopWhen: () => outcome !== undefined });
      const settled = outcome as Outcome<T> | undefined;
      if (settled === undefined && engine.crash !== undefined) throw new Error(`the simulation crashed (${engine.crash.where}): ${String(engine.crash.error)}`);
      if (settled === undefined) throw new Error(`never settled: the simulation ran out of events at ${engine.now} µs`);
      if (settled.ok) return settled.value;
      throw settled.error;
    },
    async until(done: () => boolean, budgetUs: number): Promise<boolean> {
      await drain();
      if (!done()) await engine.run({ stopWhen: done, until: engine.now + budgetUs });
      return done();
    },
  };
}

/** Real I/O: promises settle by themselves; `until` polls. */
export const realDriver: Driver = {
  settle: (promise) => promise,
  async until(done: () => boolean, budgetUs: number): Promise<boolean> {
    const end = performance.now() + budgetUs / 1000;
    while (!done() && performance.now() < end) await new Promise((resolve) => setTimeout(resolve, 1));
    return done();
  },
};

/** Fails unless `run` throws or rejects with an error `is` accepts. */
export async function rejects(driver: Driver, run: () => Promise<unknown>, is: (error: unknown) => boolean, what: string): Promise<void> {
  let caught: unknown;
  try {
    await driver.settle(Promise.resolve().then(run));
  } catch (error) {
    caught = error;
  }
  if (caught === undefined) throw new Error(`${what}: expected a failure, got none`);
  if (!is(caught)) throw new Error(`${what}: unexpected failure ${String(caught)}`);
}

/** Deterministic bytes (xorshift from `seed`), so a failing case reproduces. */
export function pattern(seed: number, length: number): Uint8Array {
  let x = (seed * 2654435761 + 1) >>> 0 || 1;
  return Uint8Array.from({ length }, () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x & 0xff;
  });
}

/** Fails unless `promise` rejects with an error whose message matches `message` (any error, if none given). */
export async function rejectsWith(promise: Promise<unknown>, message?: RegExp): Promise<void> {
  await rejects(realDriver, () => promise, (e) => message === undefined || message.test(String(e)), `expected ${message ?? 'a rejection'}`);
}

/** What a conformance test runs on: an implementation, and its driver. */
export interface Subject {
  readonly driver: Driver;
  dispose(): Promise<void>;
}

/** Registers one conformance test: its body gets a fresh subject, disposed of after. */
export type Each<S extends Subject> = (name: string, body: (s: S, d: Driver) => Promise<void>) => void;

export function eachOn<S extends Subject>(suite: Test, factory: () => Promise<S>): Each<S> {
  return (name, body) =>
    suite(name, async () => {
      const s = await factory();
      try {
        await body(s, s.driver);
      } finally {
        await s.dispose();
      }
    });
}
