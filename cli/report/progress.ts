// The progress bar while a report's jobs run (stderr). On a terminal it
// redraws in place; otherwise (a CI log) a plain line every 5 s. Progress is
// weighted by each job's estimated cost, so the ETA means something when a
// few long runs sit among many short ones.
import cliProgress from 'cli-progress';

export interface Progress {
  done(cost: number): void;
  stop(): void;
}

export function progressBar(label: string, jobs: number, totalCost: number, enabled: boolean): Progress {
  if (!enabled) return { done: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar({
    format: `${label} [{bar}] {percentage}% | {finished}/{jobs} runs | {duration_formatted} elapsed, ETA {eta_formatted}`,
    stream: process.stderr,
    noTTYOutput: true,
    notTTYSchedule: 5000,
    hideCursor: true,
    etaBuffer: 50,
  });
  let finished = 0;
  bar.start(totalCost, 0, { finished, jobs });
  return {
    done(cost) {
      finished++;
      bar.increment(cost, { finished, jobs });
    },
    stop() {
      bar.stop();
    },
  };
}
