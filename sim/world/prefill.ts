// Data already on the primaries before parity is built: a fraction of each
// array's blocks, random contents from the seed. Written straight to the media
// (this is the world's history, not host I/O).
//
// The durability checker needs these initial contents for the whole run. They
// are kept as a snapshot of each array's store taken right after prefill
// (BlockStore.snapshot: it shares the bytes, and the store copies a block
// before overwriting it), not as a second copy of every block.
import { blockChecksum } from '../../src/protocol/checksum.js';
import type { Engine } from '../engine/engine.js';
import type { BlockStore } from '../storage/block-store.js';
import type { ArrayPort } from '../disk/array-port.js';
import type { SimDevice } from '../disk/sim-device.js';

/** What the prefill writes to (the World; narrow, so this part does not import it). */
export interface PrefillWorld {
  readonly scenario: { readonly prefill: number; readonly payloadBytes: number };
  readonly primaries: readonly { readonly name: string; readonly device: SimDevice }[];
  arrayPort(array: string): ArrayPort;
}

/** Arrays up to this many blocks are prefilled block by block; larger ones by sampling. */
const EXACT_LIMIT = 1 << 22;

export interface Prefilled {
  /** The initial contents of any (array, block): prefilled data or zeros (a fresh copy). */
  readonly contents: (array: string, block: number) => Uint8Array;
  /** The blocks of `array` that were prefilled. */
  readonly blocks: (array: string) => Iterable<number>;
  /** The run is over: the snapshots give their payload memory back (BlockStore.release). */
  readonly release: () => void;
}

export function prefill(engine: Engine, world: PrefillWorld): Prefilled {
  const fraction = world.scenario.prefill;
  const bytes = world.scenario.payloadBytes;
  const initial = new Map<string, BlockStore>();
  for (const p of world.primaries) {
    const rng = engine.random.stream(`prefill/${p.name}`);
    if (fraction === 0) continue;
    const port = world.arrayPort(p.name);
    const store = p.device.store;
    const data = new Uint8Array(bytes);
    const put = (block: number) => {
      rng.fill(data);
      store.set(block, data);
      port.setChecksum(block, blockChecksum(block, data)); // written with its checksum, as the array would have
    };
    const n = p.device.blockCount;
    if (n <= EXACT_LIMIT) {
      for (let k = 0; k < n; k++) if (rng.chance(fraction)) put(k);
    } else {
      for (let i = Math.round(fraction * n); i > 0; i--) put(rng.int(n));
    }
    initial.set(p.name, store.snapshot());
  }
  return {
    contents: (array, block) => initial.get(array)?.get(block) ?? new Uint8Array(bytes),
    blocks: (array) => initial.get(array)?.writtenBlocks() ?? [],
    release: () => {
      for (const snapshot of initial.values()) snapshot.release();
    },
  };
}
