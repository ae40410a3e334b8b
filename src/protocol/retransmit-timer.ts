// The retransmission timeout toward one peer, adapted to the round trips
// measured (RFC 6298, as TCP does): RTO = SRTT + 4·RTTVAR, never below the
// configured initial timeout nor above the maximum. A round trip is measured
// only on a message answered at its first sending (Karn's rule: an answer to
// a resent one could be to either copy). A timeout doubles the RTO, and it
// stays doubled until a fresh measurement: a peer slower than the initial
// timeout (an HDD array's read-modify-write; a 1 MiB copy on a busy 1 GbE
// link) is then waited for, not flooded with copies that each cost it work —
// and whose answers could never be measured.
import type { Micros } from '../ports/clock.js';
import type { RetransmitOptions } from './retransmit.js';

export class RetransmitTimer {
  readonly #options: RetransmitOptions;
  #srtt: number | undefined;
  #rttvar = 0;
  #rto: Micros;

  constructor(options: RetransmitOptions) {
    this.#options = options;
    this.#rto = options.initialUs;
  }

  /** How long to wait for the answer to a message sent now. */
  get timeoutUs(): Micros {
    return this.#rto;
  }

  /** A message sent once was answered `rttUs` after its sending. */
  sample(rttUs: Micros): void {
    if (this.#srtt === undefined) {
      this.#srtt = rttUs;
      this.#rttvar = rttUs / 2;
    } else {
      this.#rttvar = 0.75 * this.#rttvar + 0.25 * Math.abs(this.#srtt - rttUs);
      this.#srtt = 0.875 * this.#srtt + 0.125 * rttUs;
    }
    this.#rto = this.#clamp(Math.ceil(this.#srtt + Math.max(1, 4 * this.#rttvar)));
  }

  /**
   * A message sent with a wait of `waitedUs` was not answered in time. The
   * RTO doubles — once, however many messages sent at the same RTO time out
   * together (each resend then waits the doubled RTO).
   */
  timedOut(waitedUs: Micros): void {
    if (waitedUs >= this.#rto) this.#rto = this.#clamp(this.#rto * 2);
  }

  #clamp(us: number): Micros {
    return Math.min(this.#options.maxUs, Math.max(this.#options.initialUs, us));
  }
}
