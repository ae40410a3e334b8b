// The cluster's secrets, and the TLS settings that use them. Links between
// nodes and NBD exports authenticate with TLS pre-shared keys (TLS-PSK): a
// key file beside the cluster file, no certificate authority to run. Two
// kinds of file, both mode 0600 and both refused if anyone but their owner
// may read them:
//
//  - the peers' key (`key` in the cluster file): one line of 64 hex digits,
//    32 random bytes that every node of the cluster holds;
//  - the hosts' keys (`nbdPsk`): lines `identity:hexkey`, the format of
//    GnuTLS's psktool and of libnbd's `tls-psk-file`, so the same file is
//    handed to an NBD client (fio, nbdinfo, nbdcopy, qemu) as it is.
//
// TLS 1.2 with ECDHE-PSK-CHACHA20-POLY1305: the key authenticates both ends,
// the ephemeral ECDH keeps past traffic secret if the key leaks later, and it
// is a suite both Node's OpenSSL and libnbd's GnuTLS offer. (TLS 1.3 PSK in
// Node works only through its 1.2-style callback and only with SHA-256
// suites; with any other suite OpenSSL falls back to wanting a certificate.
// 1.2 was the one that interoperated with every client tried.)
//
// No function here puts a key, or any byte of a key file, in an error
// message: a file that does not parse is reported by line number and problem.
import { readFile, stat } from 'node:fs/promises';

export const PSK_TLS = { ciphers: 'ECDHE-PSK-CHACHA20-POLY1305', minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' } as const;

/** Bytes of a generated key (a 256-bit secret). */
export const KEY_BYTES = 32;

/** Bad secrets: one line naming the file and the problem (never the contents). */
export class SecretFileError extends Error {
  override readonly name = 'SecretFileError';
}

/** Why a secret file's mode is unsafe, or undefined if only its owner may use it. */
export function unsafeMode(mode: number): string | undefined {
  const bits = mode & 0o777;
  if ((bits & 0o077) === 0) return undefined;
  return `readable or writable by others than its owner (mode ${bits.toString(8).padStart(4, '0')}): \`chmod 600\` it`;
}

/** The peers' key: 32 bytes from one line of 64 hex digits. */
export function parsePeerKey(file: string, text: string): Buffer {
  const line = text.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(line)) throw new SecretFileError(`${file}: expected one line of ${2 * KEY_BYTES} hex digits (a key made by \`xorsim cluster init\`)`);
  return Buffer.from(line, 'hex');
}

/** Hosts' keys by identity, from `identity:hexkey` lines (blank lines and # comments skipped). */
export function parsePskFile(file: string, text: string): Map<string, Buffer> {
  const keys = new Map<string, Buffer>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    const identity = line.slice(0, colon);
    const hex = line.slice(colon + 1);
    if (colon <= 0 || !/^[\x21-\x7e]{1,128}$/.test(identity) || !/^[0-9a-fA-F]{32,256}$/.test(hex) || hex.length % 2 !== 0) {
      throw new SecretFileError(`${file}: line ${i + 1}: expected identity:hexkey (an identity of printable characters, a key of 16 to 128 bytes in hex)`);
    }
    if (keys.has(identity)) throw new SecretFileError(`${file}: line ${i + 1}: identity ${JSON.stringify(identity)} given twice`);
    keys.set(identity, Buffer.from(hex, 'hex'));
  });
  if (keys.size === 0) throw new SecretFileError(`${file}: no identity:hexkey line`);
  return keys;
}

/** A secret file's text, after checking that it exists and only its owner may read it. */
async function readSecret(file: string, what: string): Promise<string> {
  let mode: number;
  try {
    mode = (await stat(file)).mode;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SecretFileError(code === 'ENOENT' ? `${file}: ${what} does not exist: create it with \`xorsim cluster init <cluster file>\`` : `${file}: cannot read ${what} (${code})`);
  }
  const unsafe = unsafeMode(mode);
  if (unsafe !== undefined) throw new SecretFileError(`${file}: ${what} is ${unsafe}`);
  return readFile(file, 'utf8');
}

export async function readPeerKey(file: string): Promise<Buffer> {
  return parsePeerKey(file, await readSecret(file, 'the cluster key'));
}

export async function readPskFile(file: string): Promise<Map<string, Buffer>> {
  return parsePskFile(file, await readSecret(file, 'the hosts\' key file'));
}

/** An identity a peer claimed, fit for a log line: quoted, printable, at most 64 characters. */
export function quoteIdentity(identity: string): string {
  return JSON.stringify(identity.length > 64 ? `${identity.slice(0, 64)}…` : identity);
}
