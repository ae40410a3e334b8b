// Turns a parsed scenario into the fully-resolved configuration a run uses:
// every default applied, every array named and sized, topology checked.
import { type NamingFields, namedArrays } from '../faults/entry-fields.js';
import type { Installation } from '../faults/fault-kind.js';
import { faultKind, randomFaultsOf } from '../faults/registry.js';
import type { ParsedScenario } from './schema.js';
import { checkFeasible } from './feasibility.js';
import { checkSwarm } from './swarm-check.js';

export interface ArraySpec {
  readonly name: string;
  readonly blocks: number;
  /** In the parity group from the start (false: joins later). */
  readonly member: boolean;
}

export interface ResolvedScenario extends Omit<ParsedScenario, 'primaries' | 'parity' | '$schema'> {
  readonly primaries: readonly ArraySpec[];
  readonly parity: ArraySpec;
}

export interface TopologyProblem {
  readonly path: string;
  readonly message: string;
}

export function resolveScenario(parsed: ParsedScenario): ResolvedScenario | TopologyProblem {
  const primaries: ArraySpec[] = Array.isArray(parsed.primaries)
    ? parsed.primaries.map((p, i) => ({ name: p.name ?? `p${i + 1}`, blocks: p.blocks, member: p.member }))
    : Array.from({ length: parsed.primaries.count }, (_, i) => ({ name: `p${i + 1}`, blocks: (parsed.primaries as { blocks: number }).blocks, member: true }));
  const largest = Math.max(...primaries.map((p) => p.blocks));
  const parity = { name: parsed.parity.name, blocks: parsed.parity.blocks ?? largest, member: true };
  if (!primaries.some((p) => p.member)) return { path: 'primaries', message: 'at least one primary must be a member of the parity group from the start' };

  const seen = new Map<string, string>();
  const names: [string, string][] = [...primaries.map((p, i): [string, string] => [p.name, `primaries[${i}].name`]), [parity.name, 'parity.name']];
  for (const [n, path] of names) {
    const first = seen.get(n);
    if (first !== undefined) return { path, message: `array name "${n}" is already used by ${first}` };
    seen.set(n, path);
  }
  if (parity.blocks < largest) {
    return { path: 'parity.blocks', message: `parity array has ${parity.blocks} blocks but the largest primary has ${largest}: parity must cover every block number` };
  }
  const arrays = new Set(names.map(([n]) => n));
  const installation: Installation = { primaries, drives: parsed.disk.model === 'hdd' ? parsed.disk.drives : undefined };
  for (const [i, fault] of parsed.faults.schedule.entries()) {
    const problem = entryProblem(parsed, fault, `faults.schedule[${i}]`, installation, parity.name, arrays);
    if (problem !== undefined) return problem;
  }
  for (const { kind, options } of randomFaultsOf(parsed.faults.random)) {
    const at = `faults.random.${kind.key}`;
    if (kind.needs === 'hdd' && parsed.disk.model !== 'hdd') return { path: at, message: `${kind.called} need disk.model "hdd"` };
    const problem = namesProblem(namedArrays(options as NamingFields), arrays, at);
    if (problem !== undefined) return problem;
  }
  if (parsed.network.model === 'lossy') {
    for (const [i, link] of parsed.network.links.entries()) {
      for (const [a, field] of [[link.from, 'from'], [link.to, 'to']] as const) {
        if (!arrays.has(a)) return { path: `network.links[${i}].${field}`, message: `no array named "${a}"` };
      }
    }
  }
  if (parsed.retransmit.max < parsed.retransmit.initial) {
    return { path: 'retransmit.max', message: `${parsed.retransmit.max}us is shorter than retransmit.initial (${parsed.retransmit.initial}us)` };
  }
  if (parsed.retransmit.initial < 1) return { path: 'retransmit.initial', message: 'must be at least 1us' };
  if (parsed.payloadBytes > parsed.blockSize) {
    return { path: 'payloadBytes', message: `${parsed.payloadBytes} bytes stored per block exceeds blockSize (${parsed.blockSize})` };
  }
  const swarmProblem = checkSwarm(parsed) ?? checkFeasible(parsed, [...primaries, parity], parity.name);
  if (swarmProblem !== undefined) return swarmProblem;
  const { $schema: _schema, ...rest } = parsed;
  return { ...rest, primaries, parity };
}

type Entry = ParsedScenario['faults']['schedule'][number];

/** What is wrong with schedule entry `fault` (at `at`) in this installation, if anything: checks every kind shares, then its kind's own (sim/faults/kinds/). */
function entryProblem(parsed: ParsedScenario, fault: Entry, at: string, installation: Installation, parity: string, arrays: ReadonlySet<string>): TopologyProblem | undefined {
  const problem = namesProblem(namedArrays(fault), arrays, at) ?? triggerProblem(fault.after, parity, arrays, `${at}.after`);
  if (problem !== undefined) return problem;
  const kind = faultKind(fault.do);
  if (kind.needs === 'lossy' && parsed.network.model !== 'lossy') return { path: `${at}.do`, message: `"${fault.do}" needs network.model "lossy"` };
  if (kind.needs === 'hdd' && parsed.disk.model !== 'hdd') return { path: `${at}.do`, message: `"${fault.do}" needs disk.model "hdd"` };
  const own = kind.check?.(fault, installation);
  if (own !== undefined) return { path: `${at}.${own.path}`, message: own.message };
  if (fault.at > parsed.workload.duration) {
    return { path: `${at}.at`, message: `${fault.at}us is after the load phase ends (${parsed.workload.duration}us): faults happen while the load runs` };
  }
  return undefined;
}

/** The first of `named` ([name, field]) that is not an array, or is listed twice. */
function namesProblem(named: readonly [string, string][], arrays: ReadonlySet<string>, at: string): TopologyProblem | undefined {
  const seen = new Set<string>();
  for (const [a, field] of named) {
    if (!arrays.has(a)) return { path: `${at}.${field}`, message: `no array named "${a}" (arrays: ${[...arrays].join(', ')})` };
    if (seen.has(a)) return { path: `${at}.${field}`, message: `"${a}" is listed twice` };
    seen.add(a);
  }
  return undefined;
}

/** An event trigger naming an array that does not exist, or one that never has that event. */
function triggerProblem(after: Entry['after'], parity: string, arrays: ReadonlySet<string>, at: string): TopologyProblem | undefined {
  if (after?.array === undefined) return undefined;
  if (!arrays.has(after.array)) return { path: `${at}.array`, message: `no array named "${after.array}" (arrays: ${[...arrays].join(', ')})` };
  const primaryOnly = ['restored', 'joining', 'joined', 'leaving', 'left', 'lost'];
  if (after.array === parity && primaryOnly.includes(after.event)) return { path: `${at}.event`, message: `the parity array is never "${after.event}": only a primary is` };
  if (after.array !== parity && after.event === 'rebuilt') return { path: `${at}.event`, message: `only the parity array is "rebuilt"; a primary is "restored"` };
  return undefined;
}

export function isProblem(x: ResolvedScenario | TopologyProblem): x is TopologyProblem {
  return 'message' in x;
}
