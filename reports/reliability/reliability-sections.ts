// The reliability report's sections and its theory check (Monte Carlo MTTDL
// against the formula, where the formula's assumptions hold: no read errors,
// MTTR ≪ MTTF).
import { formatBytes, percent, roundSig, seedsText, sig } from '../model/format.js';
import type { ChartSpec, Section, Series, TheoryCheck } from '../model/report.js';
import { type Interval, exponentialMeanInterval } from '../stats/confidence.js';
import { failureRatePerYear, formulaMttdlYears, mttrYears } from './monte-carlo.js';
import { type Config, DRIVES_PER_ARRAY, type ReliabilityContext, type RestoreUnit } from './reliability-context.js';

const HOURS_PER_YEAR = 365.25 * 24;

interface Summary {
  readonly config: Config;
  readonly trials: number;
  readonly mttdl: Interval;
  readonly mttdl99: Interval;
  readonly formula: number;
  readonly bytesPerYear: number;
  readonly latentBytesPerYear: number;
  readonly doubleBytesPerYear: number;
  readonly firstByDouble: number;
  readonly events: number;
}

function summarize(ctx: ReliabilityContext, c: Config): Summary {
  const rs = ctx.of(c);
  const trials = rs.reduce((s, r) => s + r.trials, 0);
  const firstLoss = rs.reduce((s, r) => s + r.sumFirstLossYears, 0);
  const cycles = rs.reduce((s, r) => s + r.sumCycleYears, 0);
  const latent = rs.reduce((s, r) => s + r.bytesLatent, 0);
  const double = rs.reduce((s, r) => s + r.bytesDoubleFailure, 0);
  return {
    config: c,
    trials,
    mttdl: exponentialMeanInterval(firstLoss, trials, 0.05),
    mttdl99: exponentialMeanInterval(firstLoss, trials, 0.01),
    formula: formulaMttdlYears(c.model),
    bytesPerYear: (latent + double) / cycles,
    latentBytesPerYear: latent / cycles,
    doubleBytesPerYear: double / cycles,
    firstByDouble: rs.reduce((s, r) => s + r.firstLossByDoubleFailure, 0),
    events: rs.reduce((s, r) => s + r.events, 0),
  };
}

const find = (all: readonly Summary[], unit: RestoreUnit, ure: boolean, n: number, mbs: number) => all.find((s) => s.config.unit === unit && s.config.ure === ure && s.config.primaries === n && s.config.restoreMBs === mbs)!;

// Why over 70 lines: the report's sections in order, each a table and a paragraph over the same
// summaries.
export function reliabilitySections(ctx: ReliabilityContext): Section[] {
  const all = ctx.configs.map((c) => summarize(ctx, c));
  const { primaryCounts: ns, restoreMBs, seeds, trialsPerSeed } = ctx.params;
  const source = `Monte Carlo (reports/reliability/monte-carlo.ts on sim/engine) · ${trialsPerSeed * seeds.length} trials per point, ${seedsText(seeds)} · ${DRIVES_PER_ARRAY} × 20 TB drives per array, AFR 1.5 %`;
  const mttdlChart = (unit: RestoreUnit): ChartSpec => ({
    id: `mttdl-${unit}`,
    title: `MTTDL, ${unit === 'drive' ? 'restoring the failed drive' : 'restoring the whole array'}: Monte Carlo (bars: 95 % CI) vs formula (dashed)`,
    caption: `${source} · no read errors · MTTR = ${unit === 'drive' ? 'drive' : 'array'} capacity ÷ restore rate · formula MTTF²/(N·(N−1)·MTTR) with N = arrays in the group${unit === 'drive' ? `, MTTF of a drive, ÷ ${DRIVES_PER_ARRAY} drive slots` : ', MTTF of an array'}`,
    kind: 'line',
    x: { label: 'arrays in the group N (primaries + parity)', scale: 'linear' },
    y: { label: 'mean time to data loss (years, log scale)', scale: 'log' },
    series: restoreMBs.flatMap((mbs, i): Series[] => [
      { label: `simulated, restore ${mbs} MB/s`, color: i, points: ns.map((n) => { const s = find(all, unit, false, n, mbs); return { x: n + 1, y: s.mttdl.estimate, lo: s.mttdl.lo, hi: s.mttdl.hi }; }) },
      { label: `formula, ${mbs} MB/s`, color: i, dashed: true, points: ns.map((n) => ({ x: n + 1, y: find(all, unit, false, n, mbs).formula })) },
    ]),
  });
  const lowest = Math.min(...restoreMBs);
  const highest = Math.max(...restoreMBs);
  const ureChart: ChartSpec = {
    id: 'mttdl-read-errors',
    title: 'Mean time to losing any data: with unrecoverable read errors (solid) and without (dashed)',
    caption: `${source} · restoring the failed drive · URE 1 per 10^15 bits read; a URE met by a restore loses one sector`,
    kind: 'line',
    x: { label: 'arrays in the group N (primaries + parity)', scale: 'linear' },
    y: { label: 'mean time to first loss (years, log scale)', scale: 'log' },
    series: restoreMBs.flatMap((mbs, i): Series[] => [
      { label: `with UREs, ${mbs} MB/s`, color: i, points: ns.map((n) => { const s = find(all, 'drive', true, n, mbs); return { x: n + 1, y: s.mttdl.estimate, lo: s.mttdl.lo, hi: s.mttdl.hi }; }) },
      { label: `no UREs, ${mbs} MB/s`, color: i, dashed: true, points: ns.map((n) => ({ x: n + 1, y: find(all, 'drive', false, n, mbs).mttdl.estimate })) },
    ]),
  };
  const bytesChart: ChartSpec = {
    id: 'bytes-lost-per-year',
    title: 'Expected bytes lost per year, by cause (restoring the failed drive)',
    caption: `${source} · double failures: Monte Carlo without UREs; read errors: the URE bytes of the Monte Carlo with UREs (renewal–reward: bytes lost per trial ÷ years per trial)`,
    kind: 'line',
    x: { label: 'arrays in the group N (primaries + parity)', scale: 'linear' },
    y: { label: 'bytes lost per year (log scale)', scale: 'log', ticks: 'bytes' },
    series: restoreMBs.flatMap((mbs, i): Series[] => [
      { label: `second drive failure, ${mbs} MB/s`, color: i, points: ns.map((n) => ({ x: n + 1, y: find(all, 'drive', false, n, mbs).doubleBytesPerYear })) },
      { label: `read errors in restores, ${mbs} MB/s`, color: i, dashed: true, points: ns.map((n) => ({ x: n + 1, y: find(all, 'drive', true, n, mbs).latentBytesPerYear })) },
    ]),
  };
  const rows = all.map((s) => ({
    configuration: s.config.id,
    restore_unit: s.config.unit,
    arrays_N: s.config.primaries + 1,
    restore_mb_s: s.config.restoreMBs,
    mttr_h: roundSig(mttrYears(s.config.model) * HOURS_PER_YEAR, 4),
    read_errors: s.config.ure ? 'yes' : 'no',
    formula_mttdl_y: roundSig(s.formula, 4),
    simulated_mttdl_y: roundSig(s.mttdl.estimate, 4),
    ci95_low_y: roundSig(s.mttdl.lo, 4),
    ci95_high_y: roundSig(s.mttdl.hi, 4),
    simulated_over_formula: roundSig(s.mttdl.estimate / s.formula, 4),
    first_loss_by_double_failure: percent(s.firstByDouble / s.trials, 1),
    bytes_lost_per_year: roundSig(s.bytesPerYear, 4),
    trials: s.trials,
    events: s.events,
  }));
  const d = (n: number, mbs: number) => find(all, 'drive', false, n, mbs);
  const u = (n: number, mbs: number) => find(all, 'drive', true, n, mbs);
  const a = (n: number, mbs: number) => find(all, 'array', false, n, mbs);
  /** Share of restores that meet at least one URE: (N − 1) surviving units read end to end. */
  const ureShare = (n: number, unitBytes: number) => 1 - Math.exp(-(n * unitBytes * 8) / 1e15);
  const drive = d(ns[0]!, lowest).config.model.driveBytes;
  return [
    {
      title: 'Method',
      text: [
        `Each trial simulates one group from all drives healthy: drive failures at exponential times (rate −ln(1 − AFR) per drive-year), each followed by a restore of duration MTTR = capacity ÷ restore rate during which the slot's data has no redundancy. Striping is aligned — drive d of every array holds the same block numbers — so the group's D drive slots fail and restore independently, and data is lost when a second drive of the same slot fails during a restore (the part not yet restored) or, with read errors on, when a restore cannot read a sector of a surviving drive (that sector, on both drives). Two restore units: the failed **drive** (its 20 TB rebuilt from the slot), or the whole **array** (any drive failure takes the array, and all 80 TB are restored: what \`replace-array\` does in xorsim today).`,
        `Acceleration: exact time compression. Rates are multiplied and durations divided by one factor, which relabels the clock without changing the process, so MTTDLs of thousands of years fit the simulator's µs clock; results are scaled back. Every failure and restore is simulated — about 1 ÷ ((N − 1)·λ·MTTR) failures per loss, thousands — and nothing is reweighted. The MTTDL's interval treats the times to first loss as exponential (χ² with 2k degrees of freedom, k trials); bytes per year are the bytes lost in each trial's loss episode ÷ its length (renewal–reward).`,
        `The formula MTTF²/(N·(N−1)·MTTR) counts N = arrays in the group (primaries + parity). Its MTTF and MTTR are those of the unit that fails and is restored as a whole: for drive restores, one drive slot (MTTF of a drive, MTTR of a drive), and the group's D slots lose data D times as often, so the formula is divided by D; for array restores, an array (MTTF of an array = MTTF of a drive ÷ D, MTTR of the whole array). It is first order in MTTR/MTTF: it leaves out the time spent in restores and that a second failure comes on average halfway through one, so the true MTTDL exceeds it by about 1.5·N·MTTR/MTTF — at most ${percent(Math.max(...ctx.configs.map((c) => 1.5 * c.model.arrays * failureRatePerYear(c.model) * mttrYears(c.model))), 1)} in these configurations, visible only where the Monte Carlo's interval is narrower than that. The theory checks allow for it.`,
      ],
      charts: [],
      tables: [],
    },
    {
      title: 'Mean time to data loss: Monte Carlo vs formula',
      text: [
        `Without read errors, and with MTTR far below MTTF, the formula's assumptions hold and the Monte Carlo agrees with it (theory checks above). Restoring only the failed drive instead of the whole array multiplies the MTTDL by about D² = ${DRIVES_PER_ARRAY ** 2}: at N = ${ns[1]! + 1} arrays and ${highest} MB/s, ${sig(d(ns[1]!, highest).mttdl.estimate)} years against ${sig(a(ns[1]!, highest).mttdl.estimate)} (a drive failure leaves only its own slot, 1/D of the data, without redundancy, and for 1/D of the time).`,
      ],
      charts: [mttdlChart('drive'), mttdlChart('array')],
      tables: [{ id: 'mttdl', title: 'MTTDL and bytes lost per year, every configuration', caption: `${source} · intervals 95 % (χ², exponential)`, columns: Object.keys(rows[0]!).map((key) => ({ key, label: key })), rows }],
    },
    {
      title: 'What the formula leaves out: read errors met during a restore',
      text: [
        `A restore reads every surviving drive of the slot end to end: N − 1 drives of ${drive / 1e12} TB, ${(drive * 8).toExponential(1).replace('e+', '·10^')} bits each. At 1 unrecoverable error per 10^15 bits a restore meets ${sig((drive * 8) / 1e15)} errors per drive read on average, so a large share of restores lose a sector or more: ${ns.map((n) => `${percent(ureShare(n, drive), 0)} at N = ${n + 1}`).join(', ')} (restoring whole arrays: ${ns.map((n) => `${percent(ureShare(n, DRIVES_PER_ARRAY * drive), 0)}`).join(', ')}). The time to losing *some* data falls from ${sig(d(ns[1]!, lowest).mttdl.estimate)} years to ${sig(u(ns[1]!, lowest).mttdl.estimate)} years (N = ${ns[1]! + 1}, ${lowest} MB/s) — the formula, which counts only second drive failures, misses it entirely.`,
        `By bytes the picture turns over: a read error costs a sector or two, a second drive failure up to a drive's worth. Expected bytes lost per year at N = ${ns[1]! + 1}, ${lowest} MB/s: ${formatBytes(d(ns[1]!, lowest).doubleBytesPerYear)} from second failures, ${formatBytes(u(ns[1]!, lowest).latentBytesPerYear)} from read errors. Read errors make loss frequent and small; double failures make it rare and large. Losses to second failures grow with N and with MTTR (a longer window); losses to read errors with N only, since a restore reads the same bytes however long it takes.`,
      ],
      charts: [ureChart, bytesChart],
      tables: [],
    },
  ];
}

/**
 * The formula is first order in MTTR/MTTF. It leaves out the time spent in
 * restores between failures (N·λ·MTTR of the MTTDL, relatively) and that a
 * second failure comes on average halfway through a window ((N − 1)·λ·MTTR/2):
 * together about 1.5·N·MTTR/MTTF, by which the true MTTDL exceeds it.
 */
export function neglected(c: Config): number {
  return 1.5 * c.model.arrays * failureRatePerYear(c.model) * mttrYears(c.model);
}

export function reliabilityChecks(ctx: ReliabilityContext): TheoryCheck[] {
  return ctx.configs
    .filter((c) => !c.ure)
    .map((c) => {
      const s = summarize(ctx, c);
      const eps = neglected(c);
      const lo = s.mttdl99.lo * (1 - eps);
      const hi = s.mttdl99.hi * (1 + eps);
      const inside = s.formula >= lo && s.formula <= hi;
      return {
        name: `MTTDL vs MTTF²/(N·(N−1)·MTTR), ${c.unit} restores, N=${c.primaries + 1}, ${c.restoreMBs} MB/s`,
        quantity: 'mean time to data loss (years)',
        simulated: s.mttdl.estimate,
        predicted: s.formula,
        difference: s.mttdl.estimate / s.formula - 1,
        tolerance: `formula inside the simulated 99 % interval, widened by the formula's neglected terms 1.5·N·MTTR/MTTF = ${percent(eps, 2)}: [${sig(lo)}, ${sig(hi)}]`,
        pass: inside,
        source: `${s.trials} trials, ${seedsText(ctx.params.seeds)}`,
      };
    });
}
