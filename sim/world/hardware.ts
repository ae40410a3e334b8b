// The simulated hardware a scenario describes: each array's device (an ideal
// disk, or an array of simulated drives) and the network between them, whose
// faults (loss, duplication, reordering) are switched on for the fault phase.
import type { Engine } from '../engine/engine.js';
import { DiskArray } from '../disk/disk-array.js';
import { IdealDisk } from '../disk/ideal-disk.js';
import type { SimDevice } from '../disk/sim-device.js';
import { IdealNetwork } from '../network/ideal-network.js';
import { type LinkOptions, LossyNetwork } from '../network/lossy-network.js';
import type { SimNetwork } from '../network/sim-network.js';
import { driveParams } from '../scenario/drive-params.js';
import type { LinkFields } from '../scenario/network-schema.js';
import type { ArraySpec, ResolvedScenario } from '../scenario/resolve.js';

/** Loss, duplication and reordering on every link between `names` (on), or off again. */
export function setNetworkFaults(network: LossyNetwork, scenario: ResolvedScenario, names: readonly string[], on: boolean): void {
  const n = scenario.network;
  if (n.model !== 'lossy') return;
  for (const from of names) {
    for (const to of names) {
      if (from === to) continue;
      const override = n.links.find((l) => l.from === from && l.to === to);
      const faults = { ...faultsOf(n), ...(override ? faultsOf(override) : {}) };
      network.setLink(from, to, on ? faults : NO_LINK_FAULTS);
    }
  }
}

export function makeDevice(engine: Engine, scenario: ResolvedScenario, spec: ArraySpec): SimDevice {
  const d = scenario.disk;
  if (d.model === 'ideal') return new IdealDisk(engine, { name: spec.name, blockCount: spec.blocks, blockBytes: scenario.payloadBytes, latencyUs: d.latency });
  return new DiskArray(engine, {
    name: spec.name,
    blockCount: spec.blocks,
    blockBytes: scenario.payloadBytes,
    modeledBlockBytes: scenario.blockSize,
    driveCount: spec.name === scenario.parity.name ? (d.parityDrives ?? d.drives) : d.drives,
    stripeUnitBlocks: d.stripeUnit,
    queuePolicy: d.queue,
    writeCache: d.writeCache,
    hdd: driveParams(d.drive),
  });
}

export function makeNetwork(engine: Engine, scenario: ResolvedScenario): SimNetwork {
  const n = scenario.network;
  if (n.model === 'ideal') return new IdealNetwork(engine, { latencyUs: n.latency, blockBytes: scenario.blockSize });
  // Timing is always modelled; the faults (loss, duplication, reordering) are
  // switched on for the fault phase only (Operator.networkFaults).
  // Block payloads are fingerprints; the wire carries (and is timed by) whole blocks.
  const net = new LossyNetwork(engine, { ...linkOptions(n), ...NO_LINK_FAULTS }, scenario.blockSize);
  for (const link of n.links) net.setLink(link.from, link.to, { ...linkOptions(link), ...NO_LINK_FAULTS });
  return net;
}

const NO_LINK_FAULTS = { lossRate: 0, duplicateRate: 0, reorderRate: 0 } as const;

/** Only the fault rates given in scenario link fields. */
function faultsOf(f: LinkFields): Partial<LinkOptions> {
  const { lossRate, duplicateRate, reorderRate } = linkOptions({ loss: f.loss, duplicate: f.duplicate, reorder: f.reorder });
  return { ...(lossRate !== undefined && { lossRate }), ...(duplicateRate !== undefined && { duplicateRate }), ...(reorderRate !== undefined && { reorderRate }) };
}

/** Scenario link fields → the network's option names (only those given). */
function linkOptions(f: LinkFields): Partial<LinkOptions> {
  const o: { -readonly [K in keyof LinkOptions]?: LinkOptions[K] } = {};
  if (f.latency !== undefined) o.latencyUs = f.latency;
  if (f.jitter !== undefined) o.jitterUs = f.jitter;
  if (f.jitterDistribution !== undefined) o.jitterDistribution = f.jitterDistribution;
  if (f.bandwidth !== undefined) o.bandwidthBytesPerSec = f.bandwidth;
  if (f.loss !== undefined) o.lossRate = f.loss;
  if (f.duplicate !== undefined) o.duplicateRate = f.duplicate;
  if (f.reorder !== undefined) o.reorderRate = f.reorder;
  if (f.reorderDelay !== undefined) o.reorderDelayUs = f.reorderDelay;
  return o;
}
