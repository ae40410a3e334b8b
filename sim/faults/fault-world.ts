// What of the world the fault model touches (sim/world/world.ts is what
// implements it): the arrays and their controllers' lives, the media faults
// and the power supply, the network, the damage log, the probes, and the few
// scenario fields a fault reads. A port, as the product's are (src/ports/):
// the kinds' files hold the schemas the scenario format is built from, and
// the world is built from a scenario, so the kinds name the world by this
// interface, never by its class.
import type { DiskArray } from '../disk/disk-array.js';
import type { SimDevice } from '../disk/sim-device.js';
import type { SimNetwork } from '../network/sim-network.js';
import type { DamageLog } from '../world/damage.js';
import type { Incarnation } from '../world/incarnation.js';
import type { ProbeCounter } from '../world/probe-counter.js';

/** One array: its device and its controller's current life. */
export interface FaultNode {
  readonly name: string;
  readonly device: SimDevice;
  readonly incarnation: Incarnation;
}

/** Faults that strike single blocks and drives (sim/world/media-faults.ts); `allowed` vets each block (the budget). */
export interface MediaFaultPort {
  addLatentErrors(array: string, count: number, allowed?: (block: number) => boolean): number;
  addLatentError(array: string, block: number, allowed?: (block: number) => boolean): boolean;
  failDrive(array: string, drive: number): void;
  replaceDrive(array: string, drive: number): void;
  driveFailed(array: string, drive: number): boolean;
  blocksOnDrive(array: string, drive: number): number[];
  diskArray(array: string): DiskArray;
  corrupt(array: string, count: number, allowed: (block: number) => boolean): number;
  misdirect(array: string, count: number, allowed: (block: number) => boolean): void;
  misread(array: string, count: number, allowed: (block: number) => boolean): number;
}

/** The arrays' power (sim/world/power-supply.ts). */
export interface PowerPort {
  fail(arrays: readonly string[]): void;
  /** One outage of `array` ends; true if it was the last. */
  restore(array: string): boolean;
}

/** The scenario fields faults read. */
export interface FaultScenario {
  readonly payloadBytes: number;
  readonly protocol: 'literal' | 'hardened';
  readonly disk: { readonly model: 'ideal' } | { readonly model: 'hdd'; readonly drives: number };
  readonly faults: { readonly budget: 'recoverable' | 'unlimited' };
}

export interface FaultWorld {
  readonly scenario: FaultScenario;
  readonly primaries: readonly FaultNode[];
  readonly parity: FaultNode;
  readonly network: SimNetwork;
  readonly damage: DamageLog;
  readonly probes: ProbeCounter;
  readonly media: MediaFaultPort;
  readonly power: PowerPort;
  nodes(): readonly FaultNode[];
  node(name: string): FaultNode;
  /** The controller dies (volatile state lost, media kept). */
  crash(name: string): void;
  /** A fresh controller over the same media. */
  restart(name: string): void;
  /** The whole array is lost: media, journal, controller. */
  failArray(name: string): void;
  /** An empty array takes a failed one's place. */
  replaceArray(name: string): void;
  join(name: string): void;
  leave(name: string): void;
}
