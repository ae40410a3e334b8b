// The simulated installation: N primary arrays and one parity array, each a
// simulated device behind its real controller, joined by a simulated network.
//
// It is also the checker's god's-eye view: media contents without I/O, and
// whether any work on a block is still unfinished anywhere.
import { NO_BUGS, type PlantedBugs } from '../../src/protocol/planted-bugs.js';
import { ParityController } from '../../src/parity/parity-controller.js';
import { PrimaryController } from '../../src/primary/primary-controller.js';
import { IdealDisk } from '../disk/ideal-disk.js';
import type { SimDevice } from '../disk/sim-device.js';
import type { Engine } from '../engine/engine.js';
import { IdealNetwork } from '../network/ideal-network.js';
import type { SimNetwork } from '../network/sim-network.js';
import type { ArraySpec, ResolvedScenario } from '../scenario/resolve.js';
import { SimClock } from './sim-clock.js';

export interface PrimaryNode {
  readonly name: string;
  readonly device: SimDevice;
  readonly controller: PrimaryController;
}

export interface ParityNode {
  readonly name: string;
  readonly device: SimDevice;
  readonly controller: ParityController;
}

export class World {
  readonly engine: Engine;
  readonly scenario: ResolvedScenario;
  readonly network: SimNetwork;
  readonly primaries: readonly PrimaryNode[];
  readonly parity: ParityNode;

  /** `bugs`: planted mutations, for the checker's self-test only. */
  constructor(engine: Engine, scenario: ResolvedScenario, bugs: PlantedBugs = NO_BUGS) {
    this.engine = engine;
    this.scenario = scenario;
    this.network = makeNetwork(engine, scenario);
    this.primaries = scenario.primaries.map((spec) => {
      const device = makeDevice(engine, scenario, spec);
      const controller = new PrimaryController({
        disk: device,
        transport: this.network.endpoint(spec.name),
        clock: new SimClock(engine, spec.name),
        parity: scenario.parity.name,
        variant: scenario.protocol,
        ackPolicy: scenario.ackPolicy,
        retransmit: { initialUs: scenario.retransmit.initial, maxUs: scenario.retransmit.max },
        bugs,
      });
      return { name: spec.name, device, controller };
    });
    const parityDevice = makeDevice(engine, scenario, scenario.parity);
    this.parity = {
      name: scenario.parity.name,
      device: parityDevice,
      controller: new ParityController({
        disk: parityDevice,
        transport: this.network.endpoint(scenario.parity.name),
        clock: new SimClock(engine, scenario.parity.name),
        variant: scenario.protocol,
        bugs,
        members: scenario.primaries.map((p) => ({ name: p.name, blockCount: p.blocks })),
      }),
    };
    for (const p of this.primaries) p.controller.start();
    this.parity.controller.start();
  }

  /** No work on `block` is unfinished anywhere: no controller holds it, nothing about it is on the wire. */
  settled(block: number): boolean {
    if (this.network.inFlight(block) > 0) return false;
    if (this.parity.controller.busy(block)) return false;
    for (const p of this.primaries) if (p.controller.busy(block)) return false;
    return true;
  }

  /** Every device, primaries first. */
  devices(): SimDevice[] {
    return [...this.primaries.map((p) => p.device), this.parity.device];
  }
}

function makeDevice(engine: Engine, scenario: ResolvedScenario, spec: ArraySpec): SimDevice {
  switch (scenario.disk.model) {
    case 'ideal':
      return new IdealDisk(engine, { name: spec.name, blockCount: spec.blocks, blockBytes: scenario.payloadBytes, latencyUs: scenario.disk.latency });
  }
}

function makeNetwork(engine: Engine, scenario: ResolvedScenario): SimNetwork {
  switch (scenario.network.model) {
    case 'ideal':
      return new IdealNetwork(engine, { latencyUs: scenario.network.latency });
  }
}
