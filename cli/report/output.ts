// Writes a report's files: into a temporary sibling directory first, renamed
// into place at the end, so a failed or interrupted command leaves either the
// previous report or the new one, never half of one.
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from '../usage-error.js';

/** Replaces directory `dir` with exactly `files` (paths relative to it, subdirectories allowed). */
export function replaceDir(dir: string, files: ReadonlyMap<string, Uint8Array | string>): void {
  const target = dir.replace(/\/+$/, '');
  const tmp = `${target}.tmp-${process.pid}`;
  const old = `${target}.old-${process.pid}`;
  try {
    if (existsSync(target) && !statSync(target).isDirectory()) throw new UsageError(`${target}: exists and is not a directory`);
    rmSync(tmp, { recursive: true, force: true });
    for (const [name, data] of files) {
      const file = join(tmp, name);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, data);
    }
    if (existsSync(target)) renameSync(target, old);
    renameSync(tmp, target);
    rmSync(old, { recursive: true, force: true });
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    if (existsSync(old) && !existsSync(target)) renameSync(old, target);
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${target}: cannot write the report (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

/** Fails early, before any simulation, if `dir` cannot hold the reports. */
export function checkOutDir(dir: string): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`--out ${dir}: exists and is not a directory`);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new UsageError(`--out ${dir}: cannot create it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}
