// Loading a scenario for the library: from a file, from a JSON value, or by
// the name of one shipped with xorsim. Validation is the command line's
// (sim/scenario/load.ts), so a scenario the CLI accepts the library accepts,
// with the same words for what is wrong.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProtocolVariant } from '../src/protocol/variant.js';
import { type ScenarioProblem, parseScenarioText, parseScenarioValue } from '../sim/scenario/load.js';
import type { ResolvedScenario } from '../sim/scenario/resolve.js';
import { meant } from '../sim/scenario/suggest.js';
import { InputError } from './input-error.js';

/** A validated scenario, as loadScenario returns it. */
export interface Scenario {
  /** The file it was read from, or the name given to an inline scenario; replay commands name it. */
  readonly file: string;
  readonly name: string;
  readonly description: string;
  /** The protocol variant it runs under unless a run says otherwise. */
  readonly protocol: ProtocolVariant;
  /** The scenario's JSON as written (shrink cuts this). */
  readonly json: Readonly<Record<string, unknown>>;
  /** Every default applied, every unit in base units (µs, bytes), every array named and sized. */
  readonly resolved: ResolvedScenario;
}

/** A scenario file's path, its JSON value, or a Scenario already loaded: what loadScenario, run, explore and shrink take. */
export type ScenarioInput = Scenario | string | Readonly<Record<string, unknown>>;

export interface LoadOptions {
  /** For a JSON value: the name its problems and replay commands give it (default "inline.json"). */
  readonly file?: string;
}

/** Scenarios this module made (validated already): any other object is a JSON value to validate. */
const loaded = new WeakSet<object>();

/**
 * Reads and validates a scenario: `source` is a path to a scenario file
 * (JSON), or the scenario's JSON value itself (a Scenario it made comes back
 * as it is). Throws an InputError naming the file, field and problem when it
 * cannot be read or does not validate.
 */
export function loadScenario(source: ScenarioInput, options: LoadOptions = {}): Scenario {
  if (typeof source === 'string') {
    const text = readScenarioFile(source);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      // parseScenarioText words the syntax error with a line and column.
      return scenarioOf(source, undefined, parseScenarioText(source, text));
    }
    return scenarioOf(source, json, parseScenarioValue(source, json));
  }
  if (source === null || typeof source !== 'object' || Array.isArray(source)) {
    throw new InputError([{ file: options.file ?? null, field: '', problem: `expected a scenario file's path or its JSON object, got ${describeValue(source)}` }]);
  }
  if (loaded.has(source)) return source as Scenario;
  const file = options.file ?? 'inline.json';
  // A copy: the caller may change its object later; the scenario must keep what was validated.
  let json: unknown;
  try {
    json = structuredClone(source);
  } catch (error) {
    throw new InputError([{ file, field: '', problem: `not a JSON value (${(error as Error).message})` }]);
  }
  return scenarioOf(file, json, parseScenarioValue(file, json));
}

/** The path of a scenario shipped with xorsim (its scenarios/ folder), by name: "quickstart", "lossy-network", … */
export function shippedScenario(name: string): string {
  const dir = join(packageRoot(), 'scenarios');
  const names = shippedScenarioNames();
  const bare = name.replace(/\.json$/, '');
  if (!names.includes(bare)) {
    const near = meant(bare, names);
    const hint = near.length > 0 ? ` (did you mean ${near.map((n) => `"${n}"`).join(' or ')}?)` : '';
    throw new InputError([{ file: null, field: 'name', problem: `no shipped scenario "${name}"${hint}; shipped: ${names.join(', ')}` }]);
  }
  return join(dir, `${bare}.json`);
}

/** The names of the scenarios shipped with xorsim, sorted. */
export function shippedScenarioNames(): string[] {
  const dir = join(packageRoot(), 'scenarios');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

function scenarioOf(file: string, json: unknown, result: ReturnType<typeof parseScenarioValue>): Scenario {
  if (!result.ok) throw new InputError(result.problems.map(problemOf));
  const s = result.scenario;
  const scenario: Scenario = Object.freeze({ file, name: s.name, description: s.description, protocol: s.protocol, json: json as Record<string, unknown>, resolved: s });
  loaded.add(scenario);
  return scenario;
}

function problemOf(p: ScenarioProblem) {
  return { file: p.file, field: p.path, problem: p.message };
}

function readScenarioFile(file: string): string {
  const fail = (problem: string) => new InputError([{ file, field: '', problem }]);
  if (!existsSync(file)) throw fail('no such file');
  if (statSync(file).isDirectory()) throw fail('is a directory, expected a scenario file');
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw fail(`cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

/** xorsim's own folder: up from this module (lib/ in the sources, dist/lib/ built) to the package.json named xorsim. */
function packageRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'xorsim') return dir;
  }
  throw new Error(`xorsim: cannot find its own package.json above ${fileURLToPath(import.meta.url)}`);
}

function describeValue(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}
