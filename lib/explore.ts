// Many seeds of one or more scenarios, on worker threads, with the
// determinism re-check: `xorsim explore` without its progress bar and files.
// The result is the JSON `explore --out` writes (sim/explore/result.ts).
import type { ProtocolVariant } from '../src/protocol/variant.js';
import { type ExploreProgress, explore as exploreTargets } from '../sim/explore/explore.js';
import { type Exploration, clean } from '../sim/explore/result.js';
import { DEFAULT_RECHECK, type Shard } from '../sim/explore/seeds.js';
import { defaultWorkers } from '../sim/parallel/pool.js';
import { loadControllers } from './controllers.js';
import { badOption } from './input-error.js';
import { callback, flag, integer, optionalInteger, protocol, share } from './options.js';
import { type ScenarioInput, loadScenario } from './scenario.js';

export interface ExploreOptions {
  /** How many seeds per scenario (before sharding); default 20. */
  readonly seeds?: number;
  /** The first seed; default 1. */
  readonly from?: number;
  /** Worker threads; default every core; 1 runs every seed in this thread. */
  readonly workers?: number;
  /** Run only shard `index` (0-based) of `count`: every count-th seed from the index-th. */
  readonly shard?: Shard;
  /** Overrides every scenario's protocol variant. */
  readonly protocol?: ProtocolVariant;
  /** Cut each load short past its last scheduled fault (the CI gate). */
  readonly quick?: boolean;
  /** Each seed draws its configuration from its scenario's swarm section. */
  readonly swarm?: boolean;
  /** Share of seeds re-run to check determinism (0 to 1; default 0.05; at least one per scenario unless 0). */
  readonly recheck?: number;
  /** Stop starting seeds after this many milliseconds of wall time. */
  readonly timeBudgetMs?: number;
  /** Called as seeds finish. */
  readonly onProgress?: (progress: ExploreProgress) => void;
  /** A controller module's path (as `--controllers`): its controllers run instead of the built-in ones, on every worker. */
  readonly controllers?: string;
}

/** Explores seeds of `scenarios` (one or a list). A failing seed is a result, not an exception: see `totals`, or isClean. */
export async function explore(scenarios: ScenarioInput | readonly ScenarioInput[], options: ExploreOptions = {}): Promise<Exploration> {
  const list = Array.isArray(scenarios) ? (scenarios as readonly ScenarioInput[]) : [scenarios as ScenarioInput];
  if (list.length === 0) badOption('scenarios', 'expected at least one scenario');
  const targets = list.map((s) => loadScenario(s)).map((s) => ({ file: s.file, scenario: s.resolved }));
  const seeds = optionalInteger('seeds', options.seeds, 1, 20);
  const from = optionalInteger('from', options.from, 0, 1);
  if (!Number.isSafeInteger(from + seeds)) badOption('from', `${from} + ${seeds} seeds is past the largest seed`);
  const shard = options.shard === undefined ? undefined : checkShard(options.shard);
  const override = protocol(options.protocol);
  const timeBudgetMs = options.timeBudgetMs;
  if (timeBudgetMs !== undefined && !(typeof timeBudgetMs === 'number' && timeBudgetMs > 0)) badOption('timeBudgetMs', `expected a positive number of milliseconds, got ${JSON.stringify(timeBudgetMs)}`);
  const onProgress = callback<(p: ExploreProgress) => void>('onProgress', options.onProgress);
  const controllers = await loadControllers(options.controllers); // here, so a bad module fails before any worker starts
  return exploreTargets(targets, {
    from,
    seeds,
    ...(shard !== undefined ? { shard } : {}),
    workers: optionalInteger('workers', options.workers, 1, defaultWorkers()),
    variant: {
      swarm: flag('swarm', options.swarm),
      quick: flag('quick', options.quick),
      ...(override !== undefined ? { protocol: override } : {}),
      ...(controllers !== undefined ? { controllers: controllers.file } : {}),
    },
    recheck: share('recheck', options.recheck, DEFAULT_RECHECK),
    ...(timeBudgetMs !== undefined ? { timeBudgetMs } : {}),
    ...(onProgress !== undefined ? { onProgress } : {}),
  });
}

/** Whether every seed passed and every determinism re-run matched. */
export function isClean(exploration: Exploration): boolean {
  return clean(exploration);
}

function checkShard(shard: unknown): Shard {
  const s = shard as Partial<Shard> | null;
  const count = integer('shard.count', s?.count, 1);
  const index = integer('shard.index', s?.index, 0);
  if (index >= count) badOption('shard.index', `shard index ${index} is out of range for ${count} shards (0…${count - 1})`);
  return { index, count };
}
