// The restore session parity runs for a restoring primary (hardened): which
// session's restore-data to take, and a watch on it. Parity does not journal
// sessions, so if it crashes the session dies with it; a session silent for
// 4 × the longest retransmission wait is taken for lost and resumed (same
// epoch, a new session). A live session sends far more often: every block it
// rebuilds.
import type { Clock, Timer } from '../ports/clock.js';
import type { Probe } from '../ports/probe.js';
import type { NodeId } from '../ports/transport.js';
import type { RetransmitOptions } from '../protocol/retransmit.js';
import { assert } from '../util/assert.js';
import { type Rpc, isRefused } from '../protocol/rpc.js';

interface RestoreSessionDeps {
  readonly clock: Clock;
  readonly rpc: Rpc;
  readonly parity: NodeId;
  readonly retransmit: RetransmitOptions;
  readonly probe: Probe;
  /** Our epoch (the restore's). */
  readonly epoch: () => number;
  /** Is the restore still under way? */
  readonly active: () => boolean;
  /** Parity refused to resume: it does not count us in its group (a rebuilt array that left us out). */
  readonly refused: (reason: number) => Promise<void>;
}

export class RestoreSession {
  readonly #d: RestoreSessionDeps;
  /** The session whose restore-data we take. */
  #session = -1;
  /** When its restore-data last arrived (or it began). */
  #heard = 0;
  #watchdog: Timer | undefined;
  /** A resume request is outstanding. */
  #resuming = false;

  constructor(deps: RestoreSessionDeps) {
    this.#d = deps;
  }

  /** Parity began session `session` for us; it is watched from now. */
  begun(session: number): void {
    this.#session = session;
    this.#heard = this.#d.clock.now();
    this.#watch();
  }

  /** Restore-data of `session` arrived: is it the current session's (to take), or a stale one's? */
  heard(session: number): boolean {
    if (session !== this.#session) return false;
    this.#heard = this.#d.clock.now();
    return true;
  }

  /** Asks parity to go on restoring us (same epoch, a new session): after a crash of ours, or a silence of parity's. */
  resume(): void {
    const d = this.#d;
    assert(d.active(), `resumed a restore that is not under way`);
    this.#resuming = true;
    this.#heard = d.clock.now();
    this.#watch();
    d.clock.spawn('resume restore', async () => {
      const begin = await d.rpc.call(d.parity, 'restore-begin', (id) => ({ type: 'restore-request', id, epoch: d.epoch(), resume: 1 }));
      if (isRefused(begin)) {
        d.probe.hit('request-refused'); // not in the group: nothing to resume (the watchdog asks again later, unless that ends the restore)
        this.#resuming = false;
        return d.refused(begin.reason);
      }
      this.#session = begin.session;
      this.#heard = d.clock.now();
      this.#resuming = false;
    });
  }

  /** The restore is complete: no more watching. */
  done(): void {
    this.#watchdog?.cancel();
    this.#watchdog = undefined;
  }

  #watch(): void {
    if (this.#watchdog !== undefined) return;
    const d = this.#d;
    const silence = 4 * d.retransmit.maxUs;
    const check = () => {
      this.#watchdog = undefined;
      assert(d.clock.now() >= this.#heard, `restore session heard from in the future`);
      if (!d.active()) return;
      if (!this.#resuming && d.clock.now() - this.#heard >= silence) {
        d.probe.hit('restore-resumed-after-silence');
        this.resume();
        return;
      }
      // Next, when the session will have been silent for `silence` if nothing comes.
      this.#watchdog = d.clock.timer(this.#resuming ? silence : Math.max(1, this.#heard + silence - d.clock.now()), check);
    };
    this.#watchdog = d.clock.timer(silence, check);
  }
}
