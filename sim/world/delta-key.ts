// A delta's identity within its array's stream: its epoch and its number. A
// restored array numbers its deltas from 1 again in a new epoch, so by number
// alone an earlier life's late ack would pass for this life's delta.

/** One number for (epoch, seq): seq below 2^32, epoch below 2^21 (a safe integer); epoch 0's key is seq itself. */
export function deltaKey(epoch: number, seq: number): number {
  if (seq >= 2 ** 32 || epoch >= 2 ** 21) throw new RangeError(`delta ${seq} of epoch ${epoch} beyond the keys' range`);
  return epoch * 2 ** 32 + seq;
}
