// The logical image of every array after a run (`run --dump-images DIR`):
// block k at byte offset k × payloadBytes, never-written blocks as zeros, plus
// a manifest. Built in memory here; the CLI writes the files.
//
// After a run that passed, every stripe of the images holds Q = XOR of the
// images of the primaries in the group ('member'), lost blocks included (their
// members hold zeros, and parity re-protected the stripe). `lost` lists each
// primary's lost blocks (its host reads them as data-lost); `damaged` lists
// blocks whose media still holds injected damage nothing was asked to find
// (corruption never read, with no scrub running) — the only stripes where the
// images may disagree.
import type { World } from '../world/world.js';

export interface ImageManifest {
  readonly blockSize: number;
  /** Bytes per block in the image (the stored payload; see scenario payloadBytes). */
  readonly payloadBytes: number;
  readonly arrays: readonly {
    readonly name: string;
    readonly role: 'primary' | 'parity';
    readonly blocks: number;
    readonly state: 'member' | 'joining' | 'leaving' | 'outside' | 'failed' | 'restoring';
    readonly file: string;
    /** Blocks reported lost and not rewritten since, ascending (a primary's; parity never loses a block for good). */
    readonly lost: readonly number[];
    /** Blocks still holding injected damage, ascending. */
    readonly damaged: readonly number[];
  }[];
}

export interface Images {
  readonly manifest: ImageManifest;
  readonly files: ReadonlyMap<string, Uint8Array>;
}

export function buildImages(world: World): Images {
  const bytes = world.scenario.payloadBytes;
  const files = new Map<string, Uint8Array>();
  const arrays: ImageManifest['arrays'][number][] = [];
  for (const node of world.nodes()) {
    const store = node.device.store;
    const image = new Uint8Array(store.blockCount * bytes);
    for (const k of store.writtenBlocks()) image.set(store.view(k)!, k * bytes);
    const file = `${node.name}.img`;
    files.set(file, image);
    const primary = world.primaries.find((p) => p.name === node.name);
    const state = node.device.failed ? 'failed' : primary !== undefined && world.oracle.restoring(primary) ? 'restoring' : primary ? world.membership(primary.name) : 'member';
    const lost = [...world.oracle.lostBlocks(node.name)].sort((a, b) => a - b);
    const damaged = world.damage
      .openBlocks()
      .filter((d) => d.array === node.name)
      .map((d) => d.block);
    arrays.push({ name: node.name, role: primary ? 'primary' : 'parity', blocks: store.blockCount, state, file, lost, damaged });
  }
  return { manifest: { blockSize: world.scenario.blockSize, payloadBytes: bytes, arrays }, files };
}
