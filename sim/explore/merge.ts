// Combines exploration results (`explore --out`) into one, e.g. the shards of
// one exploration fanned out by a CI matrix or a Kubernetes Indexed Job. They
// must be compatible: the same settings, the same scenario files with the same
// contents (by fingerprint), and no seed of a scenario in two of them.
import { EXPLORE_FORMAT, type Exploration, type ScenarioRuns, totalsOf } from './result.js';

export interface MergeInput {
  readonly file: string;
  readonly data: unknown;
}

export type MergeOutcome = { readonly ok: true; readonly merged: Exploration } | { readonly ok: false; readonly problem: string };

export function mergeExplorations(inputs: readonly MergeInput[]): MergeOutcome {
  const checked: { file: string; e: Exploration }[] = [];
  for (const { file, data } of inputs) {
    const problem = shapeProblem(data);
    if (problem !== undefined) return { ok: false, problem: `${file}: ${problem}` };
    checked.push({ file, e: data as Exploration });
  }
  const [first, ...rest] = checked;
  if (first === undefined) return { ok: false, problem: 'no result files to merge' };
  const seen = first.e.scenarios.map((s) => new Map(s.runs.map((r) => [r.seed, first.file])));
  for (const { file, e } of rest) {
    const a = JSON.stringify(first.e.settings);
    const b = JSON.stringify(e.settings);
    if (a !== b) return { ok: false, problem: `${file}: settings ${b} differ from ${first.file}'s ${a}` };
    const names = (x: Exploration) => x.scenarios.map((s) => s.file).join(', ');
    if (names(e) !== names(first.e)) return { ok: false, problem: `${file}: scenarios [${names(e)}] differ from ${first.file}'s [${names(first.e)}]` };
    for (const [i, s] of e.scenarios.entries()) {
      const base = first.e.scenarios[i]!;
      if (s.scenarioHash !== base.scenarioHash) return { ok: false, problem: `${file}: ${s.file} is not the scenario ${first.file} ran (fingerprint ${s.scenarioHash}, not ${base.scenarioHash}): the file changed between the runs` };
      for (const r of s.runs) {
        const other = seen[i]!.get(r.seed);
        if (other !== undefined) return { ok: false, problem: `${file}: seed ${r.seed} of ${s.file} is also in ${other}: results to merge must not overlap` };
        seen[i]!.set(r.seed, file);
      }
    }
  }
  const all = checked.map((c) => c.e);
  const scenarios: ScenarioRuns[] = first.e.scenarios.map((s, i) => ({
    ...s,
    runs: all.flatMap((e) => e.scenarios[i]!.runs).sort((x, y) => x.seed - y.seed),
  }));
  const mismatches = all.flatMap((e) => e.determinism.mismatches);
  const planned = sum(all, (e) => e.budget.planned);
  const ran = sum(all, (e) => e.budget.ran);
  const merged: Exploration = {
    format: EXPLORE_FORMAT,
    settings: first.e.settings,
    ranges: all.flatMap((e) => e.ranges),
    scenarios,
    determinism: { fraction: first.e.determinism.fraction, rechecked: all.flatMap((e) => e.determinism.rechecked), mismatches },
    budget: { timeBudgetMs: first.e.budget.timeBudgetMs, planned, ran, stopped: all.some((e) => e.budget.stopped) },
    workers: Math.max(...all.map((e) => e.workers)),
    wallMs: Math.max(...all.map((e) => e.wallMs)),
    cpuMs: sum(all, (e) => e.cpuMs ?? 0),
    totals: totalsOf(scenarios, mismatches.length, planned - ran),
    mergedFrom: checked.map((c) => c.file),
  };
  return { ok: true, merged: { ...merged, missing: missingShards(merged) } };
}

const sum = <T>(xs: readonly T[], f: (x: T) => number) => xs.reduce((a, x) => a + f(x), 0);

/** When every range is a shard of the same exploration, the shards not present. */
function missingShards(e: Exploration): string[] {
  const shards = e.ranges.map((r) => r.shard);
  const r0 = e.ranges[0]!;
  const same = e.ranges.every((r) => r.shard !== null && r.from === r0.from && r.seeds === r0.seeds && r.shard.count === r0.shard?.count);
  if (!same || r0.shard === null) return [];
  const have = new Set(shards.map((s) => s!.index));
  const missing = Array.from({ length: r0.shard.count }, (_, i) => i).filter((i) => !have.has(i));
  return missing.length === 0 ? [] : [`shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${r0.shard.count} missing: their seeds are not in this result`];
}

/** Enough of the shape to merge safely; a file from another tool or version is named as such. */
function shapeProblem(x: unknown): string | undefined {
  if (typeof x !== 'object' || x === null) return 'not an exploration result (expected a JSON object)';
  const e = x as Partial<Record<keyof Exploration, unknown>>;
  if (e.format !== EXPLORE_FORMAT) return `not an exploration result of this version (format ${JSON.stringify(e.format)}, expected "${EXPLORE_FORMAT}")`;
  if (typeof e.settings !== 'object' || !Array.isArray(e.ranges) || !Array.isArray(e.scenarios) || typeof e.determinism !== 'object' || typeof e.budget !== 'object') {
    return 'an exploration result with missing fields (settings, ranges, scenarios, determinism, budget)';
  }
  for (const s of e.scenarios as unknown[]) {
    const sr = s as Partial<ScenarioRuns>;
    if (typeof sr.file !== 'string' || typeof sr.scenarioHash !== 'string' || !Array.isArray(sr.runs)) return 'a scenario entry without file, scenarioHash or runs';
    if (sr.runs.some((r) => typeof r?.seed !== 'number' || typeof r.verdict !== 'string' || typeof r.traceHash !== 'string')) return `${sr.file}: a run without seed, verdict or traceHash`;
  }
  return undefined;
}
