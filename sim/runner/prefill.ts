// Data already on the primaries before parity is built: a fraction of each
// array's blocks, random contents from the seed. Written straight to the media
// (this is the world's history, not host I/O).
import { blockChecksum } from '../../src/protocol/checksum.js';
import type { Engine } from '../engine/engine.js';
import type { World } from '../world/world.js';

/** Arrays up to this many blocks are prefilled block by block; larger ones by sampling. */
const EXACT_LIMIT = 1 << 22;

export interface Prefilled {
  /** The initial contents of any (array, block): prefilled data or zeros. */
  readonly contents: (array: string, block: number) => Uint8Array;
  /** The blocks of `array` that were prefilled. */
  readonly blocks: (array: string) => Iterable<number>;
}

export function prefill(engine: Engine, world: World): Prefilled {
  const fraction = world.scenario.prefill;
  const bytes = world.scenario.payloadBytes;
  const initial = new Map<string, Map<number, Uint8Array>>();
  for (const p of world.primaries) {
    const rng = engine.random.stream(`prefill/${p.name}`);
    const blocks = new Map<number, Uint8Array>();
    initial.set(p.name, blocks);
    if (fraction === 0) continue;
    const port = world.arrayPort(p.name);
    const put = (block: number) => {
      const data = rng.fill(new Uint8Array(bytes));
      p.device.store.set(block, data);
      port.setChecksum(block, blockChecksum(block, data)); // written with its checksum, as the array would have
      blocks.set(block, data);
    };
    const n = p.device.blockCount;
    if (n <= EXACT_LIMIT) {
      for (let k = 0; k < n; k++) if (rng.chance(fraction)) put(k);
    } else {
      for (let i = Math.round(fraction * n); i > 0; i--) put(rng.int(n));
    }
  }
  return {
    contents: (array, block) => initial.get(array)?.get(block) ?? new Uint8Array(bytes),
    blocks: (array) => initial.get(array)?.keys() ?? [],
  };
}
