// The cluster file (JSON): the nodes of a real cluster — parity and primaries,
// their addresses, directories and sizes — and the settings they share. One
// zod schema validates it, gives its defaults and the editor JSON Schema
// (docs/examples/cluster.schema.json, `npm run schema`); problems are reported
// as scenario files' are: one line naming the file, the field and what is wrong.
import { basename, dirname, resolve } from 'node:path';
import { z } from 'zod';
import { describeIssue, formatProblem, withLineColumn, type ScenarioProblem } from '../../sim/scenario/load.js';
import { duration, size } from '../../sim/scenario/unit-types.js';
import { parseBytes } from '../../sim/scenario/units.js';
import type { ClusterConfig, Endpoint, ParitySpec, PrimarySpec } from '../../src/real/cluster-config.js';
import { formatEndpoint, isLoopback } from '../../src/real/cluster-config.js';
import { readText } from '../io.js';
import { UsageError } from '../usage-error.js';
import { checkSecretModes } from './secret-files.js';

// Names end up in file names, log lines and NBD export names.
const name = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,31}$/, 'expected a name of letters, digits, _ and - (starting with a letter, at most 32)');

const HOST_PORT = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/;

/** "127.0.0.1:7400", "[::1]:7400", "localhost:7400" → { host, port }; with `bare`, a port number alone is on 127.0.0.1. */
const endpoint = (example: string, bare = false) =>
  z.union([z.string(), z.number()]).transform((value, ctx): Endpoint => {
    const m = typeof value === 'string' ? HOST_PORT.exec(value) : null;
    const host = m === null ? '127.0.0.1' : (m[1] ?? m[2])!;
    const port = m !== null ? Number(m[3]) : bare && typeof value === 'number' ? value : Number.NaN;
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      ctx.addIssue({ code: 'custom', message: `expected ${bare ? 'a port or ' : ''}an address like "${example}" (port 1 to 65535), got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return { host, port };
  });

/** A block count, or a size ("64MiB") that the block size divides. */
const blocks = z.union([z.int().min(1).max(2 ** 32), z.string()]);

const node = {
  name,
  address: endpoint('127.0.0.1:7400').describe('where the node listens for its peers (host:port)'),
  dir: z.string().min(1).describe("the node's directory (relative to the cluster file): array image, sidecar, journal, boot counter, orders, admin socket"),
};

const PrimaryFileSchema = z.strictObject({
  ...node,
  blocks: blocks.describe('the array\'s size: a block count, or a size like "64MiB"'),
  nbd: endpoint('127.0.0.1:10809', true).describe('where its NBD export listens for hosts: a port (on 127.0.0.1) or host:port'),
  member: z.boolean().default(true).describe('false: outside the parity group when the cluster is installed, until `xorsim cluster join`'),
});

export const ClusterFileSchema = z.strictObject({
  $schema: z.string().optional(),
  name: name.describe('the cluster\'s name, shown in logs and status'),
  blockSize: size('4096 or "4KiB"').default(4096).describe('bytes per block (a power of two from 512 B to 1 MiB): the unit of parity and of NBD\'s preferred I/O size'),
  protocol: z.enum(['literal', 'hardened']).default('hardened').describe('protocol variant: hardened (the product protocol) or literal (the claims as written: no journals, no retransmission)'),
  ackPolicy: z.enum(['parity-durable', 'local-write']).default('parity-durable').describe('acknowledge a host write once parity has its delta durably (parity-durable), or after the local write (local-write)'),
  retransmit: z
    .strictObject({
      initial: duration('5ms').default(5000).describe('the first retransmission timeout, and the floor of the one adapted to measured round trips'),
      max: duration('500ms').default(500_000).describe('the adapted, backed-off timeout never grows past this'),
    })
    .default({ initial: 5000, max: 500_000 })
    .describe('retransmission of deltas and requests until answered'),
  key: z.string().min(1).optional().describe('the peers\' key file (relative to the cluster file; default: the cluster file\'s name with .key): one line of 64 hex digits, mode 0600, made by `xorsim cluster init`. Every link between nodes is TLS-PSK with it'),
  nbdPsk: z.string().min(1).optional().describe('the hosts\' key file (identity:hexkey lines, libnbd\'s tls-psk-file format, mode 0600): given, every NBD export requires TLS (nbds://) with one of its keys; `xorsim cluster init` makes it'),
  insecure: z.boolean().default(false).describe('true: an NBD export may listen beyond loopback without TLS (anyone who reaches it reads and writes the array; the node warns at start)'),
  parity: z
    .strictObject({ ...node, name: name.default('parity'), blocks: blocks.optional().describe('defaults to the largest primary') })
    .describe('the parity array\'s node'),
  primaries: z.array(PrimaryFileSchema).min(1, 'expected at least one primary').max(64, 'at most 64 primaries').describe('the primary arrays\' nodes'),
});

type ClusterFile = z.output<typeof ClusterFileSchema>;

/** Reads and validates a cluster file, and refuses key files others may read; a UsageError names the first problem (and counts the rest). */
export function loadClusterFile(file: string): ClusterConfig {
  const result = parseClusterText(file, readText(file));
  if (!Array.isArray(result)) {
    checkSecretModes(result);
    return result;
  }
  const [first, ...more] = result;
  throw new UsageError(formatProblem(first!) + (more.length > 0 ? ` (and ${more.length} more problem${more.length > 1 ? 's' : ''})` : ''));
}

/** The cluster, or every problem found (each naming `file` and the field). */
export function parseClusterText(file: string, text: string): ClusterConfig | ScenarioProblem[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return [{ file, path: '', message: `not valid JSON: ${withLineColumn((error as Error).message, text)}` }];
  }
  const parsed = ClusterFileSchema.safeParse(json, { reportInput: true });
  if (!parsed.success) return parsed.error.issues.map((issue) => describeIssue(file, issue, ClusterFileSchema));
  return resolveCluster(file, parsed.data);
}

function resolveCluster(file: string, c: ClusterFile): ClusterConfig | ScenarioProblem[] {
  const problems: ScenarioProblem[] = [];
  const problem = (path: string, message: string) => void problems.push({ file, path, message });
  const blockBytes = c.blockSize;
  if ((blockBytes & (blockBytes - 1)) !== 0 || blockBytes < 512 || blockBytes > 1 << 20) problem('blockSize', `expected a power of two from 512 B to 1 MiB, got ${blockBytes}`);
  const base = dirname(resolve(file));
  const count = (path: string, value: number | string): number => {
    if (typeof value === 'number') return value;
    const bytes = parseBytes(value);
    if (bytes !== undefined && bytes > 0 && bytes % blockBytes === 0) return bytes / blockBytes;
    problem(path, bytes === undefined || bytes <= 0 ? `expected a block count or a size like "64MiB", got ${JSON.stringify(value)}` : `${value} is not a whole number of ${blockBytes}-byte blocks`);
    return 0;
  };
  const primaries: PrimarySpec[] = c.primaries.map((p, i) => ({ role: 'primary', name: p.name, address: p.address, dir: resolve(base, p.dir), blocks: count(`primaries[${i}].blocks`, p.blocks), nbd: p.nbd, member: p.member }));
  const largest = Math.max(...primaries.map((p) => p.blocks));
  const parity: ParitySpec = { role: 'parity', name: c.parity.name, address: c.parity.address, dir: resolve(base, c.parity.dir), blocks: c.parity.blocks === undefined ? largest : count('parity.blocks', c.parity.blocks) };
  if (parity.blocks < largest) problem('parity.blocks', `${parity.blocks} blocks, smaller than the largest primary (${largest}): parity must hold a block for every block of every primary`);
  checkDistinct(problem, [parity, ...primaries]);
  // An export beyond this machine is open to whoever reaches it: TLS, or the operator's word that this is meant.
  primaries.forEach((p, i) => {
    if (!isLoopback(p.nbd.host) && c.nbdPsk === undefined && !c.insecure) problem(`primaries[${i}].nbd`, `${formatEndpoint(p.nbd)} is reachable beyond this machine: give "nbdPsk" (hosts connect with TLS) or set "insecure": true`);
  });
  if (problems.length > 0) return problems;
  const key = resolve(base, c.key ?? `${basename(file).replace(/\.json$/, '')}.key`);
  const secrets = { key, ...(c.nbdPsk !== undefined && { nbdPsk: resolve(base, c.nbdPsk) }), insecure: c.insecure };
  return { file: resolve(file), name: c.name, blockBytes, protocol: c.protocol, ackPolicy: c.ackPolicy, retransmit: { initialUs: c.retransmit.initial, maxUs: c.retransmit.max }, ...secrets, parity, primaries };
}

/** No two nodes share a name or a directory, and no two listeners an address. */
function checkDistinct(problem: (path: string, message: string) => void, nodes: readonly (PrimarySpec | ParitySpec)[]): void {
  const names = new Map<string, string>();
  const dirs = new Map<string, string>();
  const listeners: { at: string; e: Endpoint }[] = [];
  nodes.forEach((n, i) => {
    const at = n.role === 'parity' ? 'parity' : `primaries[${i - 1}]`;
    const seen = (map: Map<string, string>, key: string, field: string, what: string) => {
      const first = map.get(key);
      if (first !== undefined) problem(`${at}.${field}`, `${what} already used by ${first}`);
      else map.set(key, `${at}.${field}`);
    };
    seen(names, n.name, 'name', `name "${n.name}"`);
    seen(dirs, n.dir, 'dir', `directory ${n.dir}`);
    for (const [field, e] of n.role === 'primary' ? ([['address', n.address], ['nbd', n.nbd]] as const) : ([['address', n.address]] as const)) {
      const clash = listeners.find((l) => clashes(l.e, e));
      if (clash !== undefined) problem(`${at}.${field}`, `${formatEndpoint(e)} already used by ${clash.at}`);
      else listeners.push({ at: `${at}.${field}`, e });
    }
  });
}

/** Two listeners on one port clash on the same host, or when either listens on every address. */
function clashes(a: Endpoint, b: Endpoint): boolean {
  const any = (h: string) => h === '0.0.0.0' || h === '::';
  return a.port === b.port && (a.host === b.host || any(a.host) || any(b.host));
}

/** The editor-facing JSON Schema of cluster files (the input side, human units included): docs/examples/cluster.schema.json. */
export function clusterJsonSchema(): string {
  const schema = z.toJSONSchema(ClusterFileSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  const out = {
    $schema: schema['$schema'],
    title: 'xorsim cluster',
    description: 'A cluster of real xorsim nodes: a parity array and primary arrays, their addresses, directories and sizes. See docs/RUNNING.md#run-a-cluster.',
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}
