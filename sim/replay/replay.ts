// One run replayed with its trace kept: the same run as `xorsim run` (same
// seed, same traceHash — a sink only listens), plus the trace records a filter
// keeps, for the timeline, the JSONL file and the events around a violation.
import type { ControllerModule } from '../../src/controller-api.js';
import type { PlantedBugs } from '../../src/protocol/planted-bugs.js';
import type { TraceRecord } from '../engine/trace.js';
import type { RunReport } from '../runner/run-report.js';
import { runScenario } from '../runner/run-scenario.js';
import type { ResolvedScenario } from '../scenario/resolve.js';
import { type RecordFilter, keeps } from './records.js';

export interface ReplayOptions {
  readonly seed: number;
  /** The scenario file, for the replay command. */
  readonly file: string;
  /** The replay command of a prepared run (sim/scenario/prepare/variant.ts). */
  readonly replay?: string;
  readonly filter?: RecordFilter;
  /** Planted controller bugs (self-test and tests only). */
  readonly plantedBugs?: PlantedBugs;
  /** A user's controllers (`--controllers`); absent: the built-in ones. */
  readonly controllers?: ControllerModule | undefined;
}

export interface Replay {
  readonly report: RunReport;
  /** The records the filter kept, in order. */
  readonly records: readonly TraceRecord[];
}

export async function replay(scenario: ResolvedScenario, options: ReplayOptions): Promise<Replay> {
  const records: TraceRecord[] = [];
  const keep = keeps(options.filter ?? {});
  const report = await runScenario(scenario, {
    seed: options.seed,
    file: options.file,
    ...(options.replay !== undefined && { replay: options.replay }),
    recordSink: (r) => void (keep(r) && records.push(r)),
    ...(options.plantedBugs !== undefined && { plantedBugs: options.plantedBugs }),
    ...(options.controllers !== undefined && { controllers: options.controllers }),
  });
  return { report, records };
}
