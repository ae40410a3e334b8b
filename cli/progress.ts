// Progress of a long command on stderr (stdout stays parseable): a bar on a
// terminal (cli-progress), otherwise a plain line every few seconds so CI logs
// stay readable. Updated as results arrive; never read by the simulation.
import cliProgress from 'cli-progress';
import type { ExploreProgress } from '../sim/explore/explore.js';
import { formatTime } from '../sim/engine/time.js';
import { wallNowMs } from '../sim/wall-clock.js';

/** Seconds between plain lines when stderr is not a terminal. */
const LINE_EVERY_MS = 5000;

const LABEL: Record<ExploreProgress['phase'], string> = { explore: 'seeds', recheck: 're-runs (determinism)', diagnose: 'diagnosing a mismatch' };

export class Progress {
  readonly #tty = process.stderr.isTTY === true;
  readonly #startedMs = wallNowMs();
  #bar: cliProgress.SingleBar | undefined;
  #phase: ExploreProgress['phase'] | undefined;
  #lastLineMs = -Infinity;

  update(p: ExploreProgress): void {
    if (p.phase !== this.#phase) {
      this.stop();
      this.#phase = p.phase;
      if (this.#tty) {
        this.#bar = new cliProgress.SingleBar(
          { stream: process.stderr, format: `${LABEL[p.phase]} [{bar}] {value}/{total} · {failed} failed · {duration_formatted} (ETA {eta_formatted})`, hideCursor: true, clearOnComplete: true },
          cliProgress.Presets.shades_classic,
        );
        this.#bar.start(p.total, 0, { failed: 0 });
      }
    }
    if (this.#bar !== undefined) {
      this.#bar.setTotal(p.total);
      this.#bar.update(p.done, { failed: p.failed });
      return;
    }
    const now = wallNowMs();
    if (now - this.#lastLineMs < LINE_EVERY_MS && p.done < p.total) return;
    this.#lastLineMs = now;
    process.stderr.write(`${LABEL[p.phase]}: ${p.done}/${p.total}, ${p.failed} failed, ${formatTime(Math.round(now - this.#startedMs) * 1000)}\n`);
  }

  stop(): void {
    this.#bar?.stop();
    this.#bar = undefined;
  }
}
