// The CLI's real file I/O, kept out of the simulation path. Every write goes
// through one atomic writer: into a temporary sibling, renamed into place at
// the end, so a failed or interrupted command leaves the previous file or
// directory or the new one, never half of one.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from './usage-error.js';

export function readText(file: string): string {
  if (!existsSync(file)) throw new UsageError(`${file}: no such file`);
  if (statSync(file).isDirectory()) throw new UsageError(`${file}: is a directory, expected a scenario file`);
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

/**
 * A file shipped with xorsim (e.g. scenarios/quickstart.json), wherever the
 * command runs from: found from this module's place up to xorsim's own
 * package.json (from cli/ or from the compiled dist/cli/), and named relative
 * to the working directory when that is shorter.
 */
export function shippedFile(rel: string): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && /"name":\s*"xorsim"/.test(readFileSync(manifest, 'utf8'))) {
      const file = join(dir, rel);
      const fromHere = relative(process.cwd(), file);
      return fromHere.startsWith('..') ? file : fromHere;
    }
  }
  return rel;
}

/** A scenario argument: a file as given, or a directory's `*.json` files (sorted; JSON Schema files `*.schema.json` left out). */
export function scenarioFiles(path: string): string[] {
  if (!existsSync(path)) throw new UsageError(`${path}: no such file or directory`);
  if (!statSync(path).isDirectory()) return [path];
  const files = readdirSync(path)
    .filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'))
    .sort()
    .map((f) => join(path, f));
  if (files.length === 0) throw new UsageError(`${path}: a directory with no scenario files (*.json)`);
  return files;
}

/** Fails early, before hours of work, if `file` could not be written later. */
export function checkWritable(file: string): void {
  if (existsSync(file) && statSync(file).isDirectory()) throw new UsageError(`${file}: is a directory, expected a file to write`);
  const dir = dirname(file);
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`${file}: ${dir} is not a directory`);
}

export function writeTextAtomic(file: string, text: string): void {
  replaceAtomically(file, 'write', (tmp) => writeFileSync(tmp, text));
}

/** Replaces directory `dir` with exactly `files` (paths relative to it, subdirectories allowed). */
export function writeDirAtomic(dir: string, files: ReadonlyMap<string, Uint8Array | string>): void {
  replaceAtomically(dir.replace(/\/+$/, ''), 'write into', (tmp) => {
    for (const [name, data] of files) {
      const file = join(tmp, name);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, data);
    }
  });
}

/**
 * The one atomic writer: `fill` writes a temporary sibling of `target`, which
 * then takes its place. A directory's previous contents are moved aside first
 * and come back if the swap fails.
 */
function replaceAtomically(target: string, verb: string, fill: (tmp: string) => void): void {
  const tmp = `${target}.tmp-${process.pid}`;
  const old = `${target}.old-${process.pid}`;
  const wasDir = existsSync(target) && statSync(target).isDirectory();
  try {
    mkdirSync(dirname(target), { recursive: true });
    rmSync(tmp, { recursive: true, force: true });
    fill(tmp);
    if (wasDir !== (existsSync(tmp) && statSync(tmp).isDirectory()) && existsSync(target)) {
      throw new UsageError(`${target}: exists and is not a ${wasDir ? 'file' : 'directory'}`);
    }
    if (wasDir) renameSync(target, old);
    renameSync(tmp, target);
    rmSync(old, { recursive: true, force: true });
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    if (existsSync(old) && !existsSync(target)) renameSync(old, target);
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${target}: cannot ${verb} it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

/** Fails early, before any simulation, if `dir` cannot hold a command's output directory. */
export function checkOutDir(flag: string, dir: string): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`${flag} ${dir}: exists and is not a directory`);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new UsageError(`${flag} ${dir}: cannot create it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

/** Collects lines in memory and writes them atomically at the end (JSONL traces). */
export class LineFile {
  readonly #file: string;
  readonly #lines: string[] = [];

  constructor(file: string) {
    this.#file = file;
  }

  readonly push = (line: string): void => {
    this.#lines.push(line);
  };

  close(): void {
    writeTextAtomic(this.#file, this.#lines.length === 0 ? '' : `${this.#lines.join('\n')}\n`);
  }
}
