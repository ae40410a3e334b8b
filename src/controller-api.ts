// The controller interface: what the simulated world (or a real platform)
// asks of the controller of a primary array and of the parity array, and the
// module shape that hands both over. The built-in controllers implement it
// (src/builtin-controllers.ts); a user's module (`xorsim run … --controllers
// FILE`) implements the same, over the same ports.
//
// It is small on purpose: a controller is given its ports and its orders, and
// it answers its host. Everything the checkers judge they read from the world
// — the media, the host operations and their answers, the loss reports made
// through the ports — never from a controller's state. The few optional
// members marked *hint* only say "not yet": they can delay a judgement, never
// excuse one (docs/API.md#bring-your-own-controllers says how, and why).
import type { AckPolicy } from './protocol/ack-policy.js';
import type { HostReadResult, HostWriteResult } from './primary/host-io.js';
import type { BlockDevice } from './ports/block-device.js';
import type { Buggify } from './ports/buggify.js';
import type { Clock, Micros } from './ports/clock.js';
import type { DurableLog } from './ports/durable-log.js';
import type { Probe } from './ports/probe.js';
import type { NodeId, Transport } from './ports/transport.js';
import type { ProtocolVariant } from './protocol/variant.js';

/** The ports every controller gets: its own array, the network, time, its journal, and the platform's marks. */
export interface ControllerPorts {
  /** This node's array. */
  readonly disk: BlockDevice;
  /** The network; `transport.self` is this node's name. */
  readonly transport: Transport;
  readonly clock: Clock;
  /** A durable journal that survives a crash of the controller (not the array's loss). */
  readonly journal: DurableLog;
  /** Code probes (no effect on behaviour); `anomaly` fails the run unless a fault explains it. */
  readonly probe: Probe;
  /** Faults from inside the code (the scenario's `buggify`); absent when off. */
  readonly buggify?: Buggify;
  /** This start's boot number: increases with every start of the node, replacements included. */
  readonly boot: number;
}

/** What a primary tells the world, through the platform: its loss reports and the end of its restore. */
export interface PrimaryReports {
  /** `block` could not be rebuilt: its data is lost (a host read of it must fail, never return other data). */
  blockLost(block: number): void;
  /** The restore ordered by `restore()` is complete: every block is back (or reported lost). */
  restored(): void;
}

/** What the parity array tells the world: membership changes done. */
export interface ParityReports {
  /** Every block of `member` is in Q: its join (or its merge into a rebuilt parity array) is complete. */
  joined(member: NodeId): void;
  /** Nothing of `member` is in Q any more: its leave is complete. */
  left(member: NodeId): void;
}

export interface PrimaryPorts extends ControllerPorts {
  readonly report: PrimaryReports;
}

export interface ParityPorts extends ControllerPorts {
  readonly report: ParityReports;
}

/** Settings both roles get from the scenario. */
export interface CommonConfig {
  /** The scenario's protocol variant (`--protocol`): the built-in controllers follow it; a module may ignore it. */
  readonly protocol: ProtocolVariant;
  /** Retransmission timing the scenario asks for, for a controller that retransmits. */
  readonly retransmit: { readonly initialUs: Micros; readonly maxUs: Micros };
}

export interface PrimaryConfig extends CommonConfig {
  /** The parity array's node name: where deltas go. */
  readonly parity: NodeId;
  /** In the parity group now (a member, or one leaving). false: outside until told to `join()`. */
  readonly member: boolean;
  /** Outside the group and not joining it again: it left. */
  readonly left: boolean;
  /** When a host write may be acknowledged (`parity-durable`: only once parity has its delta durably). */
  readonly ackPolicy: AckPolicy;
}

/** One member of the group the parity array is installed for. */
export interface GroupMember {
  readonly name: NodeId;
  readonly blockCount: number;
  /** Not in Q yet: to be merged (a replaced parity array's members, when `rebuild()` follows). */
  readonly joining: boolean;
}

export interface ParityConfig extends CommonConfig {
  /** The group as installed: parity's Q[k] is the XOR of these members' block k (past a smaller member's end: zeros). */
  readonly members: readonly GroupMember[];
  /** Every primary of the installation (the only nodes that may ask to join). */
  readonly peers: readonly NodeId[];
}

/** The controller of a primary array. Every method but the host operations returns at once; the work goes on in the background. */
export interface PrimaryRole {
  /** Begin: listen to the network, recover from the journal. Called once per start (after a crash, on a fresh object). */
  start(): void;
  /** The host writes `data` (exactly `disk.blockBytes` bytes) to `block`; resolves when the write may be acknowledged. */
  hostWrite(block: number, data: Uint8Array): Promise<HostWriteResult>;
  /** The host reads `block`: its latest acknowledged data, or an error — never other data. */
  hostRead(block: number): Promise<HostReadResult>;
  /** This array is new and empty in place of a lost one: get its data back from parity (claim 5), then report `restored()`. */
  restore(): void;
  /** Join the parity group (claim 3); parity reports `joined` when Q holds every block. */
  join(): void;
  /** Leave the group (the array is decommissioned); parity reports `left` when Q holds none of it. */
  leave(): void;
  /** A failed drive of the array was replaced: rebuild the blocks it lost (`disk.lostBlocks()`). Optional. */
  rebuildLostBlocks?(): void;
  /** Hint: a restore is under way here (else the world goes by the order it gave and the report it heard). */
  readonly restoring?: boolean;
  /** Hint: work on `block` is unfinished here that the world cannot see (see ParityRole.busy). */
  busy?(block: number): boolean;
}

/** The controller of the parity array. */
export interface ParityRole {
  /** Begin: listen to the network, recover from the journal. Called once per start. */
  start(): void;
  /** Compute every Q[k] from the members' copies (claim 1); resolves when done. The run's load starts after it. */
  build(): Promise<void>;
  /** This parity array is new and empty in place of a lost one: rebuild Q from the members, reporting `joined` for each. */
  rebuild(): void;
  /** Scrub Q in the background, a block every `intervalUs` (the scenario's `scrub`). Optional. */
  startScrub?(intervalUs: number): void;
  /** The load is over: finish the scrub with whole passes until one repairs nothing. Optional. */
  finishScrub?(): Promise<void>;
  /** A failed drive of the array was replaced: rebuild the Q blocks it lost. Optional. */
  rebuildLostBlocks?(): void;
  /**
   * Hint: does Q[block] hold `member`'s block yet (a join or a rebuild merging it), or still (a leave
   * taking it out)? Without it the parity check accepts either while the member is joining or
   * leaving; once the world hears `joined` or `left` the member counts, or not, strictly.
   */
  contributes?(member: NodeId, block: number): boolean;
  /**
   * Hint: work on `block` is unfinished here. The parity check waits while it says so; without it
   * the world waits only while it sees work on the block in flight — a host operation, a message,
   * disk I/O. A controller that keeps work out of sight (a delta waiting in a timer to be sent
   * again) answers busy() for it, or its Q[k] is judged in the meantime.
   */
  busy?(block: number): boolean;
}

/** The shape of a `--controllers` module: a factory for each role, called once per start of a node. */
export interface ControllerModule {
  primary(ports: PrimaryPorts, config: PrimaryConfig): PrimaryRole;
  parity(ports: ParityPorts, config: ParityConfig): ParityRole;
}
