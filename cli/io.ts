// The CLI's real file I/O, kept out of the simulation path (the determinism lint
// exempts this file and only this file under sim/). Writes go to a temporary
// file renamed into place, so a failed command leaves nothing half-written.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
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
  try {
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.tmp-${process.pid}`;
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (error) {
    throw new UsageError(`${file}: cannot write (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
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

/** Writes a set of files into `dir` as a whole: into a temporary sibling, renamed into place at the end. */
export function writeDirAtomic(dir: string, files: ReadonlyMap<string, Uint8Array | string>): void {
  const tmp = `${dir.replace(/\/+$/, '')}.tmp-${process.pid}`;
  try {
    if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`${dir}: exists and is not a directory`);
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    for (const [name, data] of files) writeFileSync(join(tmp, name), data);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${dir}: cannot write images (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}
