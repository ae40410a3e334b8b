// One node of a real cluster as a long-lived process (`xorsim node`): its
// directory's array (image with its checksum sidecar), journal and boot
// counter (the real ports of this folder), the TCP transport to its peers,
// the built-in controller of its role (primary-node.ts, parity-node.ts) with
// the operator's standing orders, a primary's NBD export (nbd-server.ts), and
// its admin socket (admin-socket.ts). Every listener is opened before anything
// is written: a port in use leaves nothing half-installed. Its keys (psk.ts)
// are read first, and a missing, unreadable or exposed key file stops the
// start: links to peers are always TLS-PSK, and the export is TLS-PSK when the
// cluster names hosts' keys. Keys live in memory only: never in a log line,
// a status answer or an error.
// Each notable event is one line of its log.
//
// Stopping (SIGTERM, or `stop` on the admin socket) is graceful: hosts' requests
// under way are answered (for at most DRAIN_MS), the journal's queued writes
// finish, and the process exits 0. Nothing depends on it: every write is
// journaled before it is acknowledged, so a SIGKILL or a power cut at any
// moment is recovered from the journal at the next start. A controller that
// throws is a crash of the node: logged, exit 1 at once, and the next start
// recovers the same way.
import { mkdir, rm } from 'node:fs/promises';
import type { ControllerPorts } from '../controller-api.js';
import type { Probe } from '../ports/probe.js';
import { type AdminAnswer, type AdminOp, AdminServer } from './admin-socket.js';
import { nextBoot } from './boot-counter.js';
import { type ClusterConfig, type PrimarySpec, clusterNodes, formatEndpoint, isLoopback, nodeFiles } from './cluster-config.js';
import { FileBlockDevice } from './file-block-device.js';
import { FileDurableLog } from './file-durable-log.js';
import { BlockExport, DeferredTarget } from './nbd-export.js';
import { NbdServer } from './nbd-server.js';
import type { OrdersFile, ParityOrders, PrimaryOrders } from './node-orders.js';
import { NodeSetupError, type StartMode, prepareOrders } from './node-setup.js';
import { SecretFileError, readPeerKey, readPskFile } from './psk.js';
import type { PeerLink } from './peer-link.js';
import { ParityNode } from './parity-node.js';
import { PrimaryNode } from './primary-node.js';
import type { RoleNode } from './role-node.js';
import { SystemClock } from './system-clock.js';
import { TcpTransport } from './tcp-transport.js';

export { NodeSetupError, type StartMode } from './node-setup.js';

/** How long a stopping node waits for the hosts' requests under way. */
const DRAIN_MS = 5000;

export interface NodeStart {
  readonly cluster: ClusterConfig;
  readonly name: string;
  readonly mode: StartMode;
  /** A replaced parity array: the primaries of the group it is rebuilt from. */
  readonly members?: readonly string[];
  /** Writes one line of the node's log. */
  readonly print: (line: string) => void;
  /** The node is done: the process should end with `code`. */
  readonly exit: (code: number) => void;
}

export class NodeRuntime {
  readonly #s: NodeStart;
  readonly #name: string;
  readonly #probes = new Map<string, number>();
  #admin: AdminServer | undefined;
  #tcp: TcpTransport | undefined;
  /** A primary's NBD export, and the target its requests wait on until the controller is started. */
  #nbd: NbdServer | undefined;
  #hosts: DeferredTarget | undefined;
  #journal: FileDurableLog | undefined;
  #role: RoleNode | undefined;
  #boot = 0;
  #state: 'starting' | 'running' | 'stopping' = 'starting';
  readonly #startedAt = new Date().toISOString();

  private constructor(start: NodeStart) {
    this.#s = start;
    this.#name = start.name;
  }

  /** Starts the node; a NodeSetupError if its directory does not fit `mode` (nothing is changed then). */
  static async start(start: NodeStart): Promise<NodeRuntime> {
    const spec = clusterNodes(start.cluster).find((n) => n.name === start.name);
    if (spec === undefined) throw new NodeSetupError(`${start.cluster.file}: no node named "${start.name}" (nodes: ${clusterNodes(start.cluster).map((n) => n.name).join(', ')})`);
    const node = new NodeRuntime(start);
    const keys = await readKeys(start.cluster, spec.role === 'primary');
    const files = nodeFiles(spec.dir);
    await mkdir(spec.dir, { recursive: true, mode: 0o700 });
    // The admin socket first: it is the directory's lock (a second node there stops here).
    node.#admin = await AdminServer.listen(files.admin, (op) => node.#answer(op)).catch((error: Error) => {
      throw new NodeSetupError(error.message);
    });
    try {
      // Listening before the orders are written: a port in use must not leave a half-installed node.
      await node.#listen(spec.role === 'primary' ? [start.cluster.parity] : start.cluster.primaries, keys.peer);
      if (spec.role === 'primary') await node.#export(spec, keys.hosts);
      const orders = await prepareOrders(start.cluster, spec, start.mode, start.members);
      const ports = await node.#openPorts();
      node.#role =
        spec.role === 'primary'
          ? new PrimaryNode({ cluster: start.cluster, spec, ports, orders: orders as OrdersFile<PrimaryOrders>, log: node.log, attach: (target) => node.#hosts!.attach(target) })
          : new ParityNode({ cluster: start.cluster, spec, ports, orders: orders as OrdersFile<ParityOrders>, log: node.log });
      await node.#role.begin();
    } catch (error) {
      await node.#admin.close();
      await node.#nbd?.close(0);
      await node.#tcp?.close();
      throw error;
    }
    node.#state = 'running';
    const nbd = spec.role === 'primary' ? `, nbd ${formatEndpoint(spec.nbd)}` : '';
    if (spec.role === 'primary' && keys.hosts === undefined && !isLoopback(spec.nbd.host)) node.log(`warning: nbd export on ${formatEndpoint(spec.nbd)} without TLS ("insecure": true in the cluster file): anyone who can reach it reads and writes this array`);
    node.log(`started: ${spec.role} of cluster ${start.cluster.name}, boot ${node.#boot}, pid ${process.pid}, peers on ${formatEndpoint(spec.address)}${nbd}, ${spec.blocks} blocks of ${start.cluster.blockBytes} B, ${start.cluster.protocol}`);
    return node;
  }

  /** One line of the log: time, node, event. */
  readonly log = (text: string): void => this.#s.print(`${new Date().toISOString()} ${this.#name} ${text}`);

  /** A controller or the export threw: the node has crashed (the journal makes the next start whole). */
  readonly fatal = (error: unknown, where: string): void => {
    if (this.#state === 'stopping') return; // a port closed under a task while stopping: expected
    this.log(`fatal in ${where}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    this.#s.exit(1);
  };

  /** Graceful stop: hosts' requests under way answered, the journal's writes finished, exit 0. */
  async stop(reason: string): Promise<void> {
    if (this.#state === 'stopping') return;
    this.#state = 'stopping';
    this.log(`stopping (${reason})`);
    await this.#nbd?.close(DRAIN_MS);
    await this.#admin?.close();
    await this.#tcp?.close();
    await this.#journal?.close();
    this.log('stopped');
    this.#s.exit(0);
  }

  /** The operator failed this array: the node stops at once and its image, sidecar and journal are deleted. */
  async #fail(): Promise<void> {
    if (this.#state === 'stopping') return;
    this.#state = 'stopping';
    const spec = clusterNodes(this.#s.cluster).find((n) => n.name === this.#name)!;
    const files = nodeFiles(spec.dir);
    this.log('array failed by the operator: stopping, deleting its image, sidecar and journal');
    await this.#nbd?.close(0);
    await this.#tcp?.close();
    await this.#admin?.close();
    await this.#journal?.close();
    for (const f of [files.image, files.sidecar, files.journal]) await rm(f, { force: true });
    this.log('array gone: `xorsim cluster replace` starts this node on a new one');
    this.#s.exit(0);
  }

  status(): Record<string, unknown> {
    const spec = clusterNodes(this.#s.cluster).find((n) => n.name === this.#name)!;
    const peers = spec.role === 'primary' ? [this.#s.cluster.parity.name] : this.#s.cluster.primaries.map((p) => p.name);
    const links = Object.fromEntries(peers.map((p) => [p, linkState(this.#tcp?.link(p))]));
    const probes = Object.fromEntries([...this.#probes].sort(([a], [b]) => a.localeCompare(b)));
    const nbd = spec.role === 'primary' ? { nbd: { address: formatEndpoint(spec.nbd), clients: this.#nbd?.clients ?? 0, requests: this.#nbd?.requests ?? 0, errors: this.#nbd?.errors ?? 0 } } : {};
    return { name: this.#name, role: spec.role, cluster: this.#s.cluster.name, state: this.#state, pid: process.pid, boot: this.#boot, startedAt: this.#startedAt, address: formatEndpoint(spec.address), links, wire: { malformed: this.#tcp?.malformed ?? 0, refused: this.#tcp?.refused ?? 0, impostor: this.#tcp?.impostor ?? 0 }, probes, ...nbd, ...this.#role?.status() };
  }

  async #answer(op: AdminOp): Promise<AdminAnswer> {
    if (op === 'status') return { reply: { ok: true, ...this.status() } };
    if (this.#state !== 'running') return { reply: { ok: false, error: `${this.#name} is ${this.#state}` } };
    if (op === 'stop') return { reply: { ok: true, state: 'stopping' }, after: () => void this.stop('stop ordered on the admin socket') };
    if (op === 'fail') return { reply: { ok: true, state: 'failing' }, after: () => void this.#fail() };
    const ordered = await this.#role!.order(op);
    return { reply: ordered.ok ? { ...ordered, ...this.status() } : ordered };
  }

  /** The TCP transport: listening on the node's address, its peers known. */
  async #listen(peers: readonly { name: string; address: { host: string; port: number } }[], key: Uint8Array): Promise<void> {
    const spec = clusterNodes(this.#s.cluster).find((n) => n.name === this.#name)!;
    const onFatal = (error: unknown) => this.fatal(error, 'message handler');
    // Any node of the cluster may authenticate (a message from one outside the group is the controller's to refuse).
    const auth = { key, peers: clusterNodes(this.#s.cluster).map((n) => n.name).filter((n) => n !== this.#name), onRefused: (what: string) => this.log(what) };
    // A message carries at most one block: a frame longer than a block and its fields is garbage, and closes its connection.
    const maxFrameBytes = this.#s.cluster.blockBytes + 64 * 1024;
    this.#tcp = await TcpTransport.listen(this.#name, spec.address.host, spec.address.port, onFatal, { maxFrameBytes }, auth).catch((error: NodeJS.ErrnoException) => {
      throw new NodeSetupError(`${this.#name}: cannot listen on ${formatEndpoint(spec.address)} (${error.code ?? error.message})`);
    });
    for (const p of peers) {
      this.#tcp.addPeer(p.name, p.address);
      const link = this.#tcp.link(p.name)!;
      link.onChange = (up) => this.log(`link to ${p.name} (${formatEndpoint(p.address)}) ${up ? 'up' : 'down'}`);
    }
  }

  /** A primary's NBD export, listening at once; its requests wait until the controller has started. */
  async #export(spec: PrimarySpec, keys: ReadonlyMap<string, Uint8Array> | undefined): Promise<void> {
    const hosts = (this.#hosts = new DeferredTarget(this.#s.cluster.blockBytes, spec.blocks));
    const options = {
      name: spec.name,
      host: spec.nbd.host,
      port: spec.nbd.port,
      onClient: (event: string, peer: string) => this.log(`nbd client ${peer} ${event}`),
      onFatal: (error: unknown) => this.fatal(error, 'nbd'),
      onRefused: (peer: string, why: string) => this.log(`nbd client ${peer} refused: ${why}`),
      ...(keys !== undefined && { tls: { keys } }),
    };
    this.#nbd = await NbdServer.listen(new BlockExport(hosts), options).catch((error: NodeJS.ErrnoException) => {
      throw new NodeSetupError(`${this.#name}: cannot export over NBD on ${formatEndpoint(spec.nbd)} (${error.code ?? error.message})`);
    });
  }

  /** The array, journal, boot number, clock and probes of this start, with the transport. */
  async #openPorts(): Promise<ControllerPorts> {
    const cluster = this.#s.cluster;
    const spec = clusterNodes(cluster).find((n) => n.name === this.#name)!;
    const files = nodeFiles(spec.dir);
    const disk = await FileBlockDevice.open(files.image, spec.blocks, cluster.blockBytes, { checksums: true });
    this.#journal = await FileDurableLog.open(files.journal);
    this.#boot = await nextBoot(files.boot);
    const probe: Probe = {
      hit: (name) => void this.#probes.set(name, (this.#probes.get(name) ?? 0) + 1),
      anomaly: (name, block) => this.log(`anomaly ${name} at block ${block}: only a fault explains it (corruption, a lost write)`),
    };
    return { disk, transport: this.#tcp!, clock: new SystemClock((error, task) => this.fatal(error, task)), journal: this.#journal, probe, boot: this.#boot };
  }
}

/** The peers' key, and a primary's hosts' keys if the cluster names them; a NodeSetupError (exit 2) naming the file if one is missing, exposed or malformed. */
async function readKeys(cluster: ClusterConfig, primary: boolean): Promise<{ peer: Uint8Array; hosts?: ReadonlyMap<string, Uint8Array> }> {
  try {
    const peer = await readPeerKey(cluster.key);
    return primary && cluster.nbdPsk !== undefined ? { peer, hosts: await readPskFile(cluster.nbdPsk) } : { peer };
  } catch (error) {
    throw error instanceof SecretFileError ? new NodeSetupError(error.message) : error;
  }
}

/** up; idle (nothing sent to that peer yet: links open on the first message); down (trying to reconnect). */
function linkState(link: PeerLink | undefined): string {
  return link?.connected === true ? 'up' : link === undefined || link.attempts === 0 ? 'idle' : 'down';
}
