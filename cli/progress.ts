// Progress of a long command on stderr (stdout stays parseable): a bar on a
// terminal (cli-progress), otherwise a plain line every few seconds so CI logs
// stay readable. Explore's seeds and a report's runs both go through here.
// Updated as results arrive; never read by the simulation.
import cliProgress from 'cli-progress';
import { formatTime } from '../sim/engine/time.js';
import { wallNowMs } from '../sim/wall-clock.js';

/** Milliseconds between plain lines when stderr is not a terminal. */
const LINE_EVERY_MS = 5000;

export class Progress {
  readonly #enabled: boolean;
  readonly #tty = process.stderr.isTTY === true;
  readonly #startedMs = wallNowMs();
  #bar: cliProgress.SingleBar | undefined;
  #label: string | undefined;
  #lastLineMs = -Infinity;

  /** `enabled` false: show nothing (report --no-progress). */
  constructor(enabled = true) {
    this.#enabled = enabled;
  }

  /**
   * `label` has done `done` of `total` units of work (seeds; or a report's
   * runs weighted by their cost, so its ETA means something); `status` says it
   * in words ("3/40, 1 failed"). A new label starts a new bar.
   */
  show(label: string, done: number, total: number, status: string): void {
    if (!this.#enabled) return;
    if (label !== this.#label) {
      this.stop();
      this.#label = label;
      if (this.#tty) {
        this.#bar = new cliProgress.SingleBar(
          { stream: process.stderr, format: `${label} [{bar}] {percentage}% · {status} · {duration_formatted} (ETA {eta_formatted})`, hideCursor: true, clearOnComplete: true, etaBuffer: 50 },
          cliProgress.Presets.shades_classic,
        );
        this.#bar.start(total, 0, { status });
      }
    }
    if (this.#bar !== undefined) {
      this.#bar.setTotal(total);
      this.#bar.update(done, { status });
      return;
    }
    const now = wallNowMs();
    if (now - this.#lastLineMs < LINE_EVERY_MS && done < total) return;
    this.#lastLineMs = now;
    process.stderr.write(`${label}: ${status}, ${formatTime(Math.round(now - this.#startedMs) * 1000)}\n`);
  }

  stop(): void {
    this.#bar?.stop();
    this.#bar = undefined;
  }
}
