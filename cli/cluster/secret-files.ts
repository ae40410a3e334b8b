// The cluster's key files, seen from the command line: a cluster file whose
// key file anyone but its owner may read is refused when it is loaded (one
// line naming the cluster file, the field and the problem; exit 2), and
// `xorsim cluster init` makes the files — created 0600 from the start (never
// written first and narrowed after), replaced atomically when rotated. The
// keys themselves are read only by the node (src/real/psk.ts) and never
// printed: what this module says names files, never contents.
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { formatProblem } from '../../sim/scenario/load.js';
import type { ClusterConfig } from '../../src/real/cluster-config.js';
import { KEY_BYTES, unsafeMode } from '../../src/real/psk.js';
import { UsageError } from '../usage-error.js';

/** The identity `cluster init` gives the hosts' key (an NBD client's URI names it: nbds://xorsim@…). */
export const HOST_IDENTITY = 'xorsim';

/** The key files a cluster file names, with the field that names each. */
function secretFiles(cluster: ClusterConfig): { field: string; path: string }[] {
  return [{ field: 'key', path: cluster.key }, ...(cluster.nbdPsk !== undefined ? [{ field: 'nbdPsk', path: cluster.nbdPsk }] : [])];
}

/** Refuses a cluster whose existing key files others may read (a missing one is the node's to report, or init's to make). */
export function checkSecretModes(cluster: ClusterConfig): void {
  for (const { field, path } of secretFiles(cluster)) {
    if (!existsSync(path)) continue;
    const s = statSync(path);
    const unsafe = unsafeMode(s.mode);
    const problem = !s.isFile() ? 'is not a file' : unsafe === undefined ? undefined : `is ${unsafe}`;
    if (problem !== undefined) throw new UsageError(formatProblem({ file: cluster.file, path: field, message: `${path} ${problem}` }));
  }
}

/** Are the cluster's key files all there? */
export function secretsExist(cluster: ClusterConfig): boolean {
  return secretFiles(cluster).every(({ path }) => existsSync(path));
}

/**
 * Makes the key files the cluster file names: the peers' key, and the hosts' if `nbdPsk` is
 * given. Existing ones are kept unless `rotate` (then each is replaced by a new key: every
 * node must be restarted with it, and every host given the new hosts' file). Returns a line
 * per file, naming it.
 */
export function initSecrets(cluster: ClusterConfig, rotate: boolean): string[] {
  const said: string[] = [];
  for (const { field, path } of secretFiles(cluster)) {
    if (existsSync(path) && !rotate) {
      said.push(`${field}: ${path} exists, kept (\`--rotate\` replaces it)`);
      continue;
    }
    const key = randomBytes(KEY_BYTES).toString('hex');
    writeSecret(path, field === 'key' ? `${key}\n` : `${HOST_IDENTITY}:${key}\n`);
    said.push(`${field}: ${path} ${rotate ? 'replaced by a new key' : 'created'} (mode 0600)`);
  }
  return said;
}

/** Writes a secret file mode 0600 from its creation, atomically (temporary file, fsync, rename). */
function writeSecret(path: string, text: string): void {
  const temp = `${path}.tmp`;
  rmSync(temp, { force: true });
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(temp, 0o600); // the umask can only narrow it; this says so whatever the umask
  renameSync(temp, path);
}
