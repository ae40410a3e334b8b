// The arrays' power. An outage hits controllers and disks at once: each
// controller dies as in a crash (World.crash), the disks tear or lose what
// they had in flight or in their write caches (sim/disk), and every journal
// survives — it is NVRAM, battery- or supercapacitor-backed as in real array
// controllers (sim/disk/sim-log.ts). Outages of one array may overlap: its
// power returns when the last one ends.
import { intact } from '../../src/util/verified-disk.js';
import { acknowledgedRepairs } from './cached-landing.js';
import type { ArrayPort } from '../disk/array-port.js';
import type { SimDevice } from '../disk/sim-device.js';
import type { Engine } from '../engine/engine.js';
import type { DamageLog } from './damage.js';
import type { MediaFaults } from './media-faults.js';
import type { ProbeCounter } from './probe-counter.js';

/** What an outage does to the world (the World; narrow, so this part does not import it). */
export interface PoweredWorld {
  readonly engine: Engine;
  readonly damage: DamageLog;
  readonly media: Pick<MediaFaults, 'record'>;
  readonly probes: Pick<ProbeCounter, 'hit'>;
  crash(array: string): void;
  node(array: string): { readonly device: SimDevice };
  arrayPort(array: string): ArrayPort;
}

export class PowerSupply {
  readonly #world: PoweredWorld;
  /** Outages under way, per array. */
  readonly #outages = new Map<string, number>();

  constructor(world: PoweredWorld) {
    this.#world = world;
  }

  /** Power is lost at `arrays`, all at once. */
  fail(arrays: readonly string[]): void {
    const w = this.#world;
    for (const name of arrays) {
      this.#outages.set(name, (this.#outages.get(name) ?? 0) + 1);
      w.crash(name);
      const device = w.node(name).device;
      const loss = device.powerFail();
      for (let i = 0; i < loss.torn; i++) w.probes.hit('torn-write');
      for (let i = 0; i < loss.cachedLost; i++) w.probes.hit('cached-writes-lost');
      // A block whose media no longer matches its checksum (a torn write, a landed write whose checksum
      // never followed, a cached write lost under a newer checksum) is damaged until rewritten. One
      // that matches it again held wrong bytes only in the cache (a misdirected write's, lost with it):
      // they are gone (seed 286: parity[28] stayed "misdirected" for ever, its media right).
      const port = w.arrayPort(name);
      for (const block of loss.blocks) {
        if (!intact(block, device.store.get(block), port.checksum(block))) w.media.record(name, block, 'torn');
        else if (w.damage.openAt(name, block)) w.damage.rewritten(name, block, w.engine.now, acknowledgedRepairs(device, port, block));
      }
    }
  }

  /**
   * One outage of `array` ends; true if it was the last, and its disks are on
   * again. Its controller restarts separately, once they are quiet.
   */
  restore(array: string): boolean {
    const left = (this.#outages.get(array) ?? 1) - 1;
    if (left > 0) {
      this.#outages.set(array, left);
      return false;
    }
    this.#outages.delete(array);
    this.#world.node(array).device.restart();
    return true;
  }
}
