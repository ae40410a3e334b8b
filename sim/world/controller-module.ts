// Loading a user's controller module (`--controllers FILE`): a JavaScript or
// TypeScript file exporting the two factories of src/controller-api.ts,
// `primary` and `parity` — as named exports, or as a default export holding
// both. TypeScript (.ts, .mts, .cts) goes through tsx's scoped loader, which
// works the same from the compiled package and from the sources, on the main
// thread and on a worker thread, and registers nothing globally.
//
// A module is imported once per thread and its factories called once per
// start of each node: what a controller keeps belongs in what its factory
// returns. State kept at module level would outlive a run and carry into the
// next seed a worker thread runs (explore's determinism self-check catches it).
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ControllerModule } from '../../src/controller-api.js';

/** The module cannot be used: `problem` says why (the command line prints `file: problem` and exits 2). */
export class ControllerModuleError extends Error {
  override readonly name = 'ControllerModuleError';
  readonly file: string;
  readonly problem: string;

  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.file = file;
    this.problem = problem;
  }
}

const loaded = new Map<string, Promise<ControllerModule>>();

/** Imports `file` (relative to the working directory) and checks its factories; once per thread and file. */
export function importControllers(file: string): Promise<ControllerModule> {
  const url = pathToFileURL(resolve(file)).href;
  let module = loaded.get(url);
  if (module === undefined) loaded.set(url, (module = load(file, url)));
  return module;
}

async function load(file: string, url: string): Promise<ControllerModule> {
  let exports: Record<string, unknown>;
  try {
    exports = /\.[cm]?ts$/.test(file) ? await importTypeScript(url) : ((await import(url)) as Record<string, unknown>);
  } catch (error) {
    throw new ControllerModuleError(file, loadProblem(error, url));
  }
  return factories(file, exports);
}

async function importTypeScript(url: string): Promise<Record<string, unknown>> {
  const { tsImport } = await import('tsx/esm/api');
  return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
}

/** Why the import failed, in one line: the file is missing, or loading it threw (a syntax error, an exception at top level). */
function loadProblem(error: unknown, url: string): string {
  const e = error as { code?: unknown; url?: unknown; message?: unknown } | null;
  if (e?.code === 'ERR_MODULE_NOT_FOUND' && e.url === url) return 'no such file';
  const message = typeof e?.message === 'string' ? e.message : String(error);
  const lines = message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  // A transform error says "Transform failed with 1 error:" first and where on the next line.
  const text = lines.slice(0, /:$/.test(lines[0] ?? '') ? 2 : 1).join(' ');
  return `could not be loaded: ${text.length > 300 ? `${text.slice(0, 300)}…` : text}`;
}

/** The two factories, from named exports or a default export; anything else is a ControllerModuleError saying what is missing. */
function factories(file: string, exports: Record<string, unknown>): ControllerModule {
  const fallback = exports['default'];
  const from = typeof exports['primary'] === 'function' || typeof exports['parity'] === 'function' || typeof fallback !== 'object' || fallback === null ? exports : (fallback as Record<string, unknown>);
  const primary = from['primary'];
  const parity = from['parity'];
  const expected = 'expected `export function primary(ports, config)` and `export function parity(ports, config)` (or a default export { primary, parity }; docs/API.md#bring-your-own-controllers)';
  if (primary === undefined && parity === undefined) throw new ControllerModuleError(file, `exports no controller factories: ${expected}`);
  for (const [name, value] of [['primary', primary], ['parity', parity]] as const) {
    if (value === undefined) throw new ControllerModuleError(file, `exports no ${name} factory: ${expected}`);
    if (typeof value !== 'function') throw new ControllerModuleError(file, `its ${name} export is ${value === null ? 'null' : `a ${typeof value}`}, not a function: ${expected}`);
  }
  // Called as methods of their module object, as `module.primary(…)` would be.
  return { primary: (ports, config) => (primary as ControllerModule['primary']).call(from, ports, config), parity: (ports, config) => (parity as ControllerModule['parity']).call(from, ports, config) };
}
