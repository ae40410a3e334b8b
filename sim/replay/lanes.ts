// Lanes for overlapping slices: a Chrome/Perfetto thread shows its complete
// slices as a stack, so two that overlap without nesting draw wrongly. Slices
// of one track that overlap are spread over numbered lanes instead, each a
// thread of its own ("host", "host #2", …); as few lanes as the most slices in
// progress at once (greedy interval partitioning, slices taken by start time).

export interface Interval {
  readonly ts: number;
  readonly dur: number;
}

/** The lane (0, 1, …) of each interval, in the order given, and how many lanes there are. */
export function assignLanes(intervals: readonly Interval[]): { lanes: Int32Array; count: number } {
  const order = Array.from(intervals.keys()).sort((a, b) => intervals[a]!.ts - intervals[b]!.ts || intervals[b]!.dur - intervals[a]!.dur || a - b);
  const lanes = new Int32Array(intervals.length);
  const ends: number[] = []; // per lane: when its last slice ends
  for (const i of order) {
    const { ts, dur } = intervals[i]!;
    let lane = ends.findIndex((end) => end <= ts);
    if (lane < 0) {
      lane = ends.length;
      ends.push(0);
    }
    ends[lane] = ts + dur;
    lanes[i] = lane;
  }
  return { lanes, count: ends.length };
}
