// Replacing a small file so that a crash leaves either the old contents or
// the new, never a mix: write a temporary file beside it, fsync it, rename it
// over the old one, fsync the directory (the rename itself is an entry in the
// directory, lost in a crash until the directory is synced).
import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The temporary name `replaceFile` writes first; a leftover one is a replacement that never happened. */
export function tempPathOf(path: string): string {
  return `${path}.tmp`;
}

/** Makes `path` hold exactly `data`, atomically and durably. */
export async function replaceFile(path: string, data: Uint8Array): Promise<void> {
  const temp = tempPathOf(path);
  const file = await open(temp, 'w');
  try {
    await file.write(data, 0, data.length, 0);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temp, path);
  await syncDirectory(dirname(path));
}

/** Removes a temporary file a crash left behind mid-replacement (the old file is intact). */
export async function removeLeftover(path: string): Promise<void> {
  await rm(tempPathOf(path), { force: true });
}

/** Makes the directory's entries (a create, a rename) durable. */
export async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
  } catch (error) {
    // Some platforms cannot open a directory at all; there renames are durable on their own or not at all.
    if (isCode(error, 'EISDIR') || isCode(error, 'EPERM')) return;
    throw error;
  }
  try {
    await handle.sync();
  } catch (error) {
    if (!isCode(error, 'EINVAL') && !isCode(error, 'EBADF')) throw error; // a file system that does not sync directories
  } finally {
    await handle.close();
  }
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
