// Which damage a write landing on the media repairs, when the arrays' drives
// have write caches. What lands then is a destage: possibly an older write of
// the block than the one its checksum region already holds (the region is
// written at the cache's acknowledgement), or a misdirected write's bytes. So
// a landing repairs wrong bytes (corruption, a stale or misdirected block)
// only if the block now holds what its checksum says and nothing newer for it
// waits in the cache; a latent error or a lost drive's block is repaired by
// any landing, as without a cache — unless the block is still lost (a
// misdirected write landed on it). (Without a cache a write lands when it
// completes, and the damage a misdirection records comes after its own
// landing: every landing repairs.)
import { equalBytes } from '../../src/protocol/xor.js';
import { intact } from '../../src/util/verified-disk.js';
import type { ArrayPort } from '../disk/array-port.js';
import { DiskArray } from '../disk/disk-array.js';
import type { SimDevice } from '../disk/sim-device.js';
import type { DamageKind } from './damage.js';

const WRONG_BYTES: readonly DamageKind[] = ['corrupt', 'stale', 'misdirected'];

/** For DamageLog.rewritten: whether the landing on `block` repairs damage of each kind. */
export function cachedLandingRepairs(device: SimDevice, port: ArrayPort | undefined, block: number): (kind: DamageKind) => boolean {
  // A replaced drive's block still lost: a misdirected write's bytes landed on it (a rewrite it was
  // meant for is counted at its acknowledgement, before its destage). Nothing of it is repaired.
  if (device instanceof DiskArray && device.isLost(block)) return () => false;
  return (kind) => !WRONG_BYTES.includes(kind) || holdsItsChecksum(device, port, block);
}

/**
 * For DamageLog.rewritten at a write's acknowledgement: its bytes may have
 * landed just before, when the checksum region still held the previous
 * write's; judged again now, they repair wrong bytes (nothing else: an
 * acknowledgement alone puts nothing on the media).
 */
export function acknowledgedRepairs(device: SimDevice, port: ArrayPort, block: number): (kind: DamageKind) => boolean {
  if (device instanceof DiskArray && device.isLost(block)) return () => false;
  const holds = holdsItsChecksum(device, port, block);
  return (kind) => holds && WRONG_BYTES.includes(kind);
}

function holdsItsChecksum(device: SimDevice, port: ArrayPort | undefined, block: number): boolean {
  if (port === undefined) return true;
  const media = device.store.get(block);
  const pending = device instanceof DiskArray ? device.cachedData(block) : undefined;
  return (pending === undefined || equalBytes(pending, media)) && intact(block, media, port.checksum(block));
}
