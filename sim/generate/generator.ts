// The world generator (`xorsim explore --generate`): each seed draws a whole
// scenario — topology, hardware, network, ack policy, load, scrub and a fault
// plan that mixes every family at once — as an ordinary scenario file's JSON,
// validated by the same schema and resolver as a file (so `validate`, `run`,
// `replay` and `shrink` take it unchanged).
//
// A seed first draws 2–6 coverage cells to aim at (universe.ts), each with
// probability proportional to its steering weight (steering.ts: the cells
// reached least so far weigh most); the plan then builds what each cell's
// phase needs and strikes inside it (plan.ts, strike.ts), the shape is drawn
// around the plan (shape.ts), and background faults are added. Every draw
// comes from streams `generate/<part>` of the seed: a pure function of
// (seed, budget, weights), the same in any process or worker.
import type { Cell, Family, Phase } from '../coverage/cells.js';
import { splitCell } from '../coverage/cells.js';
import { Random } from '../engine/prng.js';
import { MS } from '../engine/time.js';
import { kindsOf } from '../faults/registry.js';
import { type ResolvedScenario } from '../scenario/resolve.js';
import { formatProblem, parseScenarioValue } from '../scenario/load.js';
import { humanDuration as us } from '../scenario/units.js';
import { Dice } from './dice.js';
import { type Json, PARITY, Plan } from './plan.js';
import { settleFor } from './settle.js';
import { type Needs, drawBasics, drawShape } from './shape.js';
import { strike } from './strike.js';
import { type Budget, universe } from './universe.js';

/** Bumped whenever the same (seed, budget, weights) would draw a different world. */
// 2: an open loop's rate is the total over all hosts, within what parity serves (1 drew it per host).
// 3: BUGGIFY in about 30% of the worlds (stream generate/buggify; the other draws are unchanged).
// 4: with a scrub, the settle bound covers three scrub passes over the largest array (settle.ts).
// 5: in 30% of the worlds with a restore, the array is lost again as it begins and replaced within 1.5 ms, on
//    a link holding messages back, and parity crashes as the next life restores (stream generate/more).
export const GENERATOR_VERSION = 'xorsim-generate/5';

export interface GenerateInput {
  readonly seed: number;
  readonly budget: Budget;
  /** Steering weight per cell (missing: 1). */
  readonly weights: Readonly<Record<string, number>>;
  /** The steering batch (recorded in the file). */
  readonly batch: number;
}

export interface GeneratedWorld {
  /** The scenario file's JSON (human units), `generated` section included. */
  readonly json: Json;
  readonly scenario: ResolvedScenario;
  /** The cells the plan aimed at (and placed). */
  readonly aimed: readonly Cell[];
}

/** The file name (without directory) a generated world is saved as. */
export function worldName(seed: number, budget: Budget): string {
  return `gen-${budget === 'recoverable' ? 'r' : 'u'}-${seed}`;
}

export function generateWorld(g: GenerateInput): GeneratedWorld {
  const dice = (part: string) => new Dice(new Random(g.seed, `generate/${part}`));
  const cells = chooseCells(dice('cells'), g.budget, g.weights);
  const needs = needsOf(cells);
  const basics = drawBasics(dice('basics'), needs);
  const plan = new Plan(dice('plan'), g.budget, basics, dice('more'));
  for (const cell of cells) {
    const { family, phase } = splitCell(cell) as { family: Family; phase: Phase };
    const ctx = plan.context(phase, family);
    if (ctx !== undefined && strike(plan, family, ctx)) plan.aimed.push(cell);
  }
  const random = background(plan, dice('background'));
  const buggify = drawBuggify(dice('buggify'));
  if (buggify !== undefined) plan.notes.push(`buggify: points enabled ${Math.round(buggify.enable * 100)}%, firing ${Math.round(buggify.fire * 100)}%, delays up to ${buggify.maxDelay}`);
  if (plan.roles.length === 0 || !plan.roles.some((r) => r.member)) plan.freeMember();
  const shape = drawShape(dice('shape'), plan.roles.length, basics, needs);
  const primaries = shape.blocks.map((blocks, i) => ({ name: `p${i + 1}`, blocks, ...(plan.roles[i]?.member === false && { member: false }) }));
  const largest = Math.max(...shape.blocks);
  const name = worldName(g.seed, g.budget);
  const scrubUs = plan.scrub ? Math.max(10, Math.min(2 * MS, Math.floor((basics.hdd ? 400 * MS : 150 * MS) / largest))) : undefined;
  const json: Json = {
    name,
    description: `A world drawn by ${GENERATOR_VERSION} from seed ${g.seed} (budget ${g.budget}); aimed at ${plan.aimed.join(', ') || 'no cell'}.`,
    primaries,
    ...shape.json,
    network: plan.links.length > 0 ? { ...(shape.json['network'] as Json), links: plan.links } : shape.json['network'],
    faults: { budget: g.budget, schedule: plan.schedule, random },
    ...(scrubUs !== undefined && { scrub: { interval: us(scrubUs) } }),
    ...(buggify !== undefined && { buggify }),
    generated: { generator: GENERATOR_VERSION, seed: g.seed, budget: g.budget, batch: g.batch, weights: { ...g.weights }, plan: plan.notes },
  };
  json['settle'] = settleFor(json, String(json['settle']), largest, scrubUs);
  const loaded = parseScenarioValue(`${name}.json`, json);
  if (!loaded.ok) throw new Error(`generator bug: seed ${g.seed} drew an invalid scenario: ${loaded.problems.map(formatProblem).join('; ')}`);
  return { json, scenario: loaded.scenario, aimed: plan.aimed };
}

/** 2–6 distinct cells, each drawn with probability proportional to its weight. */
function chooseCells(d: Dice, budget: Budget, weights: Readonly<Record<string, number>>): Cell[] {
  const left = universe(budget);
  const out: Cell[] = [];
  for (let k = d.int(2, 6); k > 0; k--) {
    const cell = d.weighted(left, (c) => weights[c] ?? 1);
    out.push(cell);
    left.splice(left.indexOf(cell), 1);
  }
  return out;
}

/** What the world must have for the cells: what their families' kinds need (sim/faults/kinds/), and what their phases do. */
function needsOf(cells: readonly Cell[]): Needs {
  const parts = cells.map(splitCell) as { family: Family; phase: Phase }[];
  const has = (f: (p: { family: Family; phase: Phase }) => boolean) => parts.some(f);
  const needs = (family: Family, what: 'hdd' | 'lossy') => kindsOf(family).some((k) => k.needs === what);
  return {
    hdd: has((p) => needs(p.family, 'hdd') || p.phase === 'drive-down'),
    lossy: has((p) => needs(p.family, 'lossy') || p.phase === 'delta-disorder'),
    hot: has((p) => p.phase === 'delta-disorder'),
    writeCache: has((p) => p.family === 'power-fail'),
  };
}

/**
 * Faults from inside the controllers' code (BUGGIFY, sim/world/buggify.ts) in
 * about 30% of the worlds, from a stream of their own: the rest of the world
 * is drawn as without them.
 */
function drawBuggify(d: Dice): { enable: number; fire: number; maxDelay: string } | undefined {
  if (!d.chance(0.3)) return undefined;
  return { enable: d.pick([0.1, 0.25, 0.5]), fire: d.pick([0.05, 0.2, 0.5]), maxDelay: d.pick(['1ms', '20ms', '100ms']) };
}

/**
 * Faults beside the aimed ones: rate-driven controller crashes, latent errors
 * and drive failures now and then, a stray fault or two at random moments,
 * and — unlimited — two arrays damaged at once, more than single parity repairs.
 */
function background(plan: Plan, d: Dice): Json {
  const random: Json = {};
  if (d.chance(0.2)) random['controllerCrash'] = { rate: `${d.int(1, 20)}/s`, restartAfter: us(d.int(1 * MS, 20 * MS)), include: d.pick(['all', 'primaries', 'parity']) };
  // Random block damage stays open until rewritten: within the budget it suppresses the plan's failures, so it is rarer there.
  const rare = plan.budget === 'recoverable' ? 0.5 : 1;
  if (plan.hdd && d.chance(0.15 * rare)) random['latentErrors'] = { rate: `${Number(d.real(0.2, 3).toFixed(2))}/s` };
  if (plan.hdd && d.chance(0.1 * rare)) random['driveFailures'] = { afr: '1.5%/year', acceleration: d.int(1, 5) * 1e8, replaceAfter: us(d.int(5 * MS, 50 * MS)) };
  for (let n = d.int(0, 2); n > 0; n--) {
    const family = d.pick<Family>(['crash', 'power-fail', 'corrupt', 'misdirect', 'misread', 'partition', 'flap', 'latent-error', 'rogue']);
    strike(plan, family, { phase: 'steady', anchor: { at: plan.anyTime() }, damaged: [] });
  }
  if (plan.budget === 'unlimited' && d.chance(0.5)) {
    const arrays = d.shuffle([...plan.roles.map((r) => r.name), PARITY]).slice(0, 2);
    const kind = plan.hdd && d.chance(0.3) ? 'latent-errors' : d.chance(0.8) ? 'corrupt' : 'misdirect';
    const at = plan.anyTime();
    if (d.chance(0.6)) plan.scrub = true;
    for (const array of arrays) plan.add({ do: kind, array, count: d.int(1, 16) }, { at: at + d.int(0, 5 * MS) }, `double damage: ${kind} on ${array}`);
  }
  return random;
}
