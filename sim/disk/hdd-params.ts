// Parameters of a current 7200 rpm enterprise hard drive, and the mechanics
// they determine: the seek-time curve, the zoned layout (which cylinder and
// angle a block sits at, and how fast it transfers there).
//
// Every default names its public source. HddMechanics is a pure function of
// the parameters (no state, no randomness), so one instance may be shared by
// every drive of an array; hdd.ts adds the behaviour (queue, cache, faults).
import { YEAR } from '../engine/time.js';

export interface HddParams {
  /** Physical capacity; timing spreads a drive's blocks over all of it. */
  readonly capacityBytes: number;
  readonly rpm: number;
  readonly sectorBytes: number;
  /** Recording surfaces (one head each): sets how many cylinders the capacity takes. */
  readonly heads: number;
  /** Datasheet averages over random request pairs (writes settle longer). */
  readonly avgSeekReadUs: number;
  readonly avgSeekWriteUs: number;
  /** A one-cylinder seek (datasheet "track-to-track" / "single-track"). */
  readonly trackToTrackUs: number;
  /** Where the seek curve turns from ∝ √distance to linear, as a fraction of the full stroke. */
  readonly seekKneeFraction: number;
  /** Sustained media rate at the outermost (block 0) and innermost tracks. */
  readonly outerRateBytesPerSec: number;
  readonly innerRateBytesPerSec: number;
  /** On-drive buffer used as the write cache (when the write cache is on). */
  readonly cacheBytes: number;
  /** A cache hit or a cached write's acknowledgement: command overhead + interface transfer. */
  readonly cacheLatencyUs: number;
  /** For fault injectors (the drive itself schedules no random faults): */
  readonly annualFailureRate: number;
  /** Fraction of disks that develop a latent sector error within latentErrorWindowUs. */
  readonly latentErrorDiskFraction: number;
  readonly latentErrorWindowUs: number;
  /** Unrecoverable read errors per bit read. */
  readonly unrecoverableBitErrorRate: number;
}

export const DEFAULT_HDD_PARAMS: HddParams = Object.freeze({
  // 20 TB: Seagate Exos X20 / WD Ultrastar DC HC560 capacity point.
  capacityBytes: 20e12,
  // WD Ultrastar DC HC310 datasheet: 7200 rpm (8.33 ms per revolution).
  rpm: 7200,
  // Advanced Format 4Kn (4096-byte logical and physical sectors).
  sectorBytes: 4096,
  // Seagate Exos X20 product manual: 10 platters, 20 heads.
  heads: 20,
  // WD Ultrastar DC HC310 datasheet: average seek 7.4 ms read, 8.2 ms write.
  avgSeekReadUs: 7_400,
  avgSeekWriteUs: 8_200,
  // WD Ultrastar DC HC310 datasheet: single-track (track-to-track) seek 0.23 ms.
  trackToTrackUs: 230,
  // Ruemmler & Wilkes, "An introduction to disk drive modeling" (IEEE Computer
  // 1994), HP 97560 fit: √ below 383 of 1962 cylinders (≈ 0.2 of the stroke).
  seekKneeFraction: 0.2,
  // Seagate Exos X20 datasheet: max sustained transfer 285 MB/s (outer tracks).
  outerRateBytesPerSec: 285e6,
  // Inner tracks ≈ half of outer: constant linear density, inner/outer radius ≈ 1/2.
  innerRateBytesPerSec: 142.5e6,
  // Seagate Exos X20 / WD HC310 datasheets: 256 MB cache buffer.
  cacheBytes: 256 * 2 ** 20,
  // No datasheet figure: order of a SATA command overhead plus a 4 KiB transfer at 6 Gb/s.
  cacheLatencyUs: 50,
  // Backblaze drive stats 2023–2025: fleet annualised failure rate 1.4–1.7 %.
  annualFailureRate: 0.015,
  // Bairavasundaram et al., SIGMETRICS 2007: 3.45 % of disks developed latent
  // sector errors within 32 months.
  latentErrorDiskFraction: 0.0345,
  latentErrorWindowUs: Math.round((32 / 12) * YEAR),
  // Nearline datasheets (HC310, Exos X20): 1 unrecoverable read error per 10^15 bits read.
  unrecoverableBitErrorRate: 1e-15,
});

/** Defaults overridden by `overrides`, checked; throws RangeError naming the bad field. */
export function resolveHddParams(overrides: Partial<HddParams> = {}, where = 'Hdd'): HddParams {
  const p: HddParams = { ...DEFAULT_HDD_PARAMS, ...overrides };
  const positive = (name: keyof HddParams) => {
    const v = p[name];
    if (!Number.isFinite(v) || v <= 0) throw new RangeError(`${where}: ${name} must be a positive number, got ${v}`);
  };
  const fraction = (name: keyof HddParams) => {
    const v = p[name];
    if (!(v >= 0 && v < 1)) throw new RangeError(`${where}: ${name} must be in [0, 1), got ${v}`);
  };
  for (const name of ['capacityBytes', 'rpm', 'sectorBytes', 'heads', 'avgSeekReadUs', 'avgSeekWriteUs', 'trackToTrackUs', 'outerRateBytesPerSec', 'innerRateBytesPerSec', 'cacheBytes', 'latentErrorWindowUs'] as const) positive(name);
  for (const name of ['annualFailureRate', 'latentErrorDiskFraction', 'unrecoverableBitErrorRate'] as const) fraction(name);
  if (!Number.isSafeInteger(p.sectorBytes) || !Number.isSafeInteger(p.heads)) throw new RangeError(`${where}: sectorBytes and heads must be integers`);
  if (!(p.cacheLatencyUs >= 0) || !Number.isFinite(p.cacheLatencyUs)) throw new RangeError(`${where}: cacheLatencyUs must be ≥ 0, got ${p.cacheLatencyUs}`);
  if (!(p.seekKneeFraction > 0 && p.seekKneeFraction <= 1)) throw new RangeError(`${where}: seekKneeFraction must be in (0, 1], got ${p.seekKneeFraction}`);
  if (p.innerRateBytesPerSec > p.outerRateBytesPerSec) throw new RangeError(`${where}: innerRateBytesPerSec exceeds outerRateBytesPerSec`);
  if (p.avgSeekReadUs <= p.trackToTrackUs || p.avgSeekWriteUs <= p.trackToTrackUs) throw new RangeError(`${where}: average seeks must exceed trackToTrackUs`);
  return p;
}

/** Constant hazard rate (per µs) that gives `fraction` failures within `windowUs`: for Poisson fault schedules. */
export function hazardPerUs(fraction: number, windowUs: number): number {
  return -Math.log(1 - fraction) / windowUs;
}

const frac = (x: number): number => x - Math.floor(x);

/**
 * Geometry and timing derived from HddParams.
 *
 * Layout: radial coordinate u runs from 0 (outermost cylinder) to 1 (innermost);
 * the media rate falls linearly in u (constant linear density: rate ∝ radius),
 * so outer cylinders hold more bytes. Capacity position x ∈ [0, 1) maps to u by
 * inverting the cumulative capacity, x(u) = (Ro·u − (Ro−Ri)·u²/2) / ((Ro+Ri)/2).
 * Within a cylinder the bytes fill the heads' tracks in turn; a block's angle is
 * its position along its track, plus a per-cylinder skew equal to a one-cylinder
 * seek so that streaming across a cylinder boundary loses no revolution.
 */
export class HddMechanics {
  readonly params: HddParams;
  readonly cylinders: number;
  readonly revolutionUs: number;
  /** Mean over uniformly random blocks of bytes/rate equals bytes/this: (Ro+Ri)/2. */
  readonly averageRateBytesPerSec: number;
  /** Seek curve for distances ≥ 1: t1 + b·g(d), g(d) = √d − 1 up to the knee, then linear (C¹). */
  readonly #bRead: number;
  readonly #bWrite: number;
  readonly #knee: number;
  readonly #sqrtKnee: number;
  readonly #skew: number;

  constructor(params: HddParams) {
    this.params = params;
    this.revolutionUs = 60e6 / params.rpm;
    this.averageRateBytesPerSec = (params.outerRateBytesPerSec + params.innerRateBytesPerSec) / 2;
    const avgTrackBytes = (this.averageRateBytesPerSec * this.revolutionUs) / 1e6;
    this.cylinders = Math.max(2, Math.round(params.capacityBytes / (params.heads * avgTrackBytes)));
    this.#knee = Math.max(1, params.seekKneeFraction * this.cylinders);
    this.#sqrtKnee = Math.sqrt(this.#knee);
    const eg = this.#meanShape();
    this.#bRead = (params.avgSeekReadUs - params.trackToTrackUs) / eg;
    this.#bWrite = (params.avgSeekWriteUs - params.trackToTrackUs) / eg;
    this.#skew = params.trackToTrackUs / this.revolutionUs;
  }

  /** Seek time over `distance` cylinders (0 for none). */
  seekUs(distance: number, write: boolean): number {
    if (distance <= 0) return 0;
    return this.params.trackToTrackUs + (write ? this.#bWrite : this.#bRead) * this.#shape(distance);
  }

  /** Radial coordinate u ∈ [0, 1) of capacity position x ∈ [0, 1) (0 = outer). */
  radial(x: number): number {
    const ro = this.params.outerRateBytesPerSec;
    const ri = this.params.innerRateBytesPerSec;
    // The root of (Ro−Ri)/2·u² − Ro·u + x·(Ro+Ri)/2 = 0, in the form without cancellation near x = 0.
    return (x * (ro + ri)) / (ro + Math.sqrt(ro * ro - x * (ro * ro - ri * ri)));
  }

  cylinder(u: number): number {
    return Math.min(this.cylinders - 1, Math.floor(u * this.cylinders));
  }

  /** Angular position in revolutions [0, 1) of the start of the data at u. */
  angle(u: number): number {
    const c = this.cylinder(u);
    return frac(frac((u * this.cylinders - c) * this.params.heads) + c * this.#skew);
  }

  /** Media transfer time of `bytes` at radial position u. */
  transferUs(u: number, bytes: number): number {
    const p = this.params;
    const rate = p.outerRateBytesPerSec - (p.outerRateBytesPerSec - p.innerRateBytesPerSec) * u;
    return (bytes / rate) * 1e6;
  }

  /** Wait for `angle` to come under the head, arriving at `atUs` on a platter whose angle at time 0 was `phase`. */
  rotationalLatencyUs(angle: number, atUs: number, phase: number): number {
    const rev = this.revolutionUs;
    const latency = frac(angle - frac(atUs / rev + phase)) * rev;
    // Missing the sector start by less than the clock's 1 µs resolution is rounding, not a lost revolution.
    return latency > rev - 1 ? 0 : latency;
  }

  /** Average seek + half a revolution + one block at the average rate (random requests, no queueing). */
  expectedRandomServiceUs(write: boolean, bytes: number): number {
    const seek = write ? this.params.avgSeekWriteUs : this.params.avgSeekReadUs;
    return seek + this.revolutionUs / 2 + (bytes / this.averageRateBytesPerSec) * 1e6;
  }

  /** The seek curve's full-stroke time (a derived figure, for reports). */
  fullStrokeUs(write: boolean): number {
    return this.seekUs(this.cylinders - 1, write);
  }

  #shape(d: number): number {
    if (d <= this.#knee) return Math.sqrt(d) - 1;
    return this.#sqrtKnee - 1 + (d - this.#knee) / (2 * this.#sqrtKnee);
  }

  /**
   * E[g(d)] for d the cylinder distance between two uniformly random blocks,
   * so that b = (avg − t1) / E[g] calibrates the curve to the datasheet mean.
   * Blocks land at u with density p(u) = α − βu (∝ the media rate); the
   * density of D = |u1 − u2| is f(D) = 2∫₀^{1−D} p(u)·p(u+D) du, a cubic in D.
   * Integrated by Simpson's rule in s = √D, which smooths the √d part; the
   * d = 0 pairs (probability ~1/cylinders) are counted as one-cylinder seeks.
   */
  #meanShape(): number {
    const p = this.params;
    const mean = this.averageRateBytesPerSec;
    const alpha = p.outerRateBytesPerSec / mean;
    const beta = (p.outerRateBytesPerSec - p.innerRateBytesPerSec) / mean;
    const density = (d: number): number => {
      const l = 1 - d;
      const a = alpha;
      const b = alpha - beta * d;
      return 2 * (a * b * l - (beta * (a + b) * l * l) / 2 + (beta * beta * l * l * l) / 3);
    };
    const n = 20_000;
    let sum = 0;
    for (let i = 0; i <= n; i++) {
      const s = i / n;
      const d = s * s;
      const w = i === 0 || i === n ? 1 : i % 2 === 1 ? 4 : 2;
      sum += w * density(d) * this.#shape(Math.max(1, d * this.cylinders)) * 2 * s;
    }
    return sum / (3 * n);
  }
}
