// What a misdirected write leaves (the array port hears each: ArrayPort
// onMisdirected): the block it was meant for keeps stale data, the block it
// landed on holds what is not its own — each recorded as damage where the
// media now holds what was not written there (the block hit may have held the
// same bytes, e.g. zeros on zeros). With a write cache the media shows the
// write only at its destage: the damage is recorded now and judged when bytes
// land (the landing keeps it open until the block holds what its checksum
// says: cached-landing.ts).
import { intact } from '../../src/util/verified-disk.js';
import type { ArrayPort } from '../disk/array-port.js';
import { DiskArray } from '../disk/disk-array.js';
import type { SimDevice } from '../disk/sim-device.js';
import type { Engine } from '../engine/engine.js';
import type { DamageLog } from './damage.js';
import type { MediaFaults } from './media-faults.js';

export interface MisdirectionContext {
  readonly engine: Engine;
  readonly damage: DamageLog;
  readonly media: MediaFaults;
  /** Drive write caches on: a landing is a destage. */
  readonly cached: boolean;
}

/** Records, on every misdirected write through `port` (of `array`, over `media`), the damage it leaves. */
export function judgeMisdirections(array: string, media: SimDevice, port: ArrayPort, w: MisdirectionContext): void {
  const wrong = (block: number) => !intact(block, media.store.get(block), port.checksum(block));
  port.onMisdirected = (intended, target) => {
    // The controller rewrote `intended` as far as anyone can tell (a replaced drive's block
    // counts as rebuilt; no bytes will land on it): what it holds now is stale data, nothing else.
    // Damage a block had while nothing protected it goes on unprotected: the write never reached
    // `intended`, and put on `target` what is not its own (its landing, this instant, closed the old damage).
    const now = w.engine.now;
    const unprotected = (block: number) => w.damage.intervals(array, block).some((d) => (d.end === undefined || d.end === now) && !d.protected);
    const intendedUnprotected = unprotected(intended);
    // A latent sector error stays (no head wrote the sector), and so does a failed drive's loss (its array still owes the rebuild).
    const unreadable = media instanceof DiskArray && media.hasLatentError(intended);
    const lost = media instanceof DiskArray && media.isLost(intended);
    w.damage.rewritten(array, intended, now, (kind) => (kind !== 'latent' || !unreadable) && (kind !== 'drive' || !lost));
    // Nothing lands on `intended` now: judged at once, unless an earlier write to it still waits in the cache.
    if ((w.cached && media.cached(intended)) || wrong(intended)) w.media.record(array, intended, 'stale', -1, intendedUnprotected);
    // A lost block of a replaced drive stays lost (the rebuild still owes it) whatever lands on it:
    // its checksum went with the drive, so wrong() cannot see that the bytes are not its own.
    const stillLost = media instanceof DiskArray && media.isLost(target);
    if (w.cached || stillLost || wrong(target)) w.media.record(array, target, 'misdirected', intended, unprotected(target));
  };
}
