// What a drive measured about itself: request counts and the moments of its
// service, queueing and seek times (what the queueing-theory tests compare).

/** Running mean and population variance (Welford). */
export class Moments {
  count = 0;
  mean = 0;
  #m2 = 0;
  add(x: number): void {
    this.count++;
    const d = x - this.mean;
    this.mean += d / this.count;
    this.#m2 += d * (x - this.mean);
  }
  get variance(): number {
    return this.count === 0 ? 0 : this.#m2 / this.count;
  }
  /** E[x²]. */
  get secondMoment(): number {
    return this.variance + this.mean * this.mean;
  }
}

/** Mechanism statistics (host requests and destages; cache hits and acks excluded). */
export interface HddStats {
  reads: number;
  writes: number;
  destages: number;
  cacheHits: number;
  errors: number;
  torn: number;
  /** Seek + rotation + transfer of each request served by the mechanism. */
  readonly service: Moments;
  /** Queueing delay: from arrival to the start of service. */
  readonly wait: Moments;
  readonly seek: Moments;
}

export function newStats(): HddStats {
  return { reads: 0, writes: 0, destages: 0, cacheHits: 0, errors: 0, torn: 0, service: new Moments(), wait: new Moments(), seek: new Moments() };
}
