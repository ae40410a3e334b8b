// How long a generated world's settle bound must be. After the load stops a
// scrub finishes by whole passes until one finds nothing to repair
// (src/parity/scrubber.ts): at least two passes when it repaired anything in
// the last one. A pass costs, per block, the scrub's interval, parity's read
// of Q[k], and a copy request's round trip to the members with their disk
// read — over 30 000 blocks with ideal disks that is tens of seconds, beyond
// the fixed 20 s the worlds had (a liveness verdict about the bound, not the
// protocol). The bound covers three passes, with half again for
// retransmissions, above the base.
import { parseDuration, humanDuration as us } from '../scenario/units.js';
import type { Json } from './plan.js';

/** A random HDD access with its queue, generously (the arrays the generator gives HDDs are small). */
const HDD_ACCESS_US = 20_000;

/** The settle bound for `json` (a generated scenario) with a scrub of `intervalUs` over `largest` blocks; `base` without one. */
export function settleFor(json: Json, base: string, largest: number, intervalUs: number | undefined): string {
  if (intervalUs === undefined) return base;
  const network = json['network'] as Json;
  const disk = json['disk'] as Json;
  const oneWay = (parseDuration(String(network['latency'] ?? '50us')) ?? 50) + (parseDuration(String(network['jitter'] ?? '0us')) ?? 0);
  const access = disk['model'] === 'hdd' ? HDD_ACCESS_US : (parseDuration(String(disk['latency'] ?? '200us')) ?? 200);
  const perBlock = intervalUs + 2 * oneWay + 2 * access;
  const needed = 1.5 * 3 * largest * perBlock;
  const baseUs = parseDuration(base) ?? 0;
  return needed <= baseUs ? base : us(Math.ceil(needed / 1e6) * 1e6 + baseUs);
}
