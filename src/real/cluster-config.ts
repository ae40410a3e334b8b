// A cluster of real nodes as its cluster file describes it, validated and
// resolved (cli/cluster/cluster-file.ts reads the file): the settings every
// node shares, and each node's name, addresses, directory and size. The node
// runtime (node-runtime.ts) and `xorsim cluster` take it from here.
import type { AckPolicy } from '../protocol/ack-policy.js';
import type { RetransmitOptions } from '../protocol/retransmit.js';
import type { ProtocolVariant } from '../protocol/variant.js';

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

export interface NodeSpec {
  readonly name: string;
  readonly role: 'primary' | 'parity';
  /** Where the node listens for its peers (TCP transport). */
  readonly address: Endpoint;
  /** Its directory: array image, sidecar, journal, boot counter, orders, admin socket (absolute). */
  readonly dir: string;
  readonly blocks: number;
}

export interface PrimarySpec extends NodeSpec {
  readonly role: 'primary';
  /** Where its NBD export listens (hosts connect here). */
  readonly nbd: Endpoint;
  /** In the parity group when the cluster is first installed (false: outside until `cluster join`). */
  readonly member: boolean;
}

export interface ParitySpec extends NodeSpec {
  readonly role: 'parity';
}

export interface ClusterConfig {
  /** The cluster file it was read from (absolute). */
  readonly file: string;
  readonly name: string;
  readonly blockBytes: number;
  readonly protocol: ProtocolVariant;
  readonly ackPolicy: AckPolicy;
  readonly retransmit: RetransmitOptions;
  /** The peers' key file (absolute): every link between nodes is TLS-PSK with it (psk.ts). */
  readonly key: string;
  /** The hosts' key file (absolute, `identity:hexkey` lines): set, every NBD export requires TLS with one of its keys. */
  readonly nbdPsk?: string;
  /** An export may listen beyond loopback without TLS (the node warns at start). */
  readonly insecure: boolean;
  readonly parity: ParitySpec;
  readonly primaries: readonly PrimarySpec[];
}

/** Every node, parity first. */
export function clusterNodes(cluster: ClusterConfig): readonly (PrimarySpec | ParitySpec)[] {
  return [cluster.parity, ...cluster.primaries];
}

/** Only this machine can reach an address: 127.0.0.0/8, ::1, localhost. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** "127.0.0.1:7400", "[::1]:7400". */
export function formatEndpoint(e: Endpoint): string {
  return e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
}

/** The files a node keeps in its directory. The image, sidecar and journal are the array's (lost with it); the rest are the node's. */
export function nodeFiles(dir: string) {
  return {
    image: `${dir}/array.img`,
    sidecar: `${dir}/array.img.pi`,
    journal: `${dir}/journal`,
    boot: `${dir}/boot`,
    orders: `${dir}/orders.json`,
    admin: `${dir}/admin.sock`,
  } as const;
}
