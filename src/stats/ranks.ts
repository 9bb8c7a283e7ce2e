/** Mid-ranks of a pooled sample, the basis of rank tests. */

export interface Ranking {
  /** 1-based mid-ranks, in the order of the input. */
  ranks: number[];
  /** Sizes of every group of tied values (only groups of 2 or more). */
  tieSizes: number[];
  /** Sizes of all groups of equal values in ascending order of value, untied values as groups of 1 (sums to N). */
  groupSizes: number[];
}

/** Ranks 1..N, tied values sharing the mean of the ranks they span. */
export function midRanks(values: readonly number[]): Ranking {
  const order = values.map((v, i) => ({ v, i })).sort((x, y) => x.v - y.v);
  const ranks = new Array<number>(values.length).fill(0);
  const tieSizes: number[] = [];
  const groupSizes: number[] = [];
  let start = 0;
  while (start < order.length) {
    let end = start + 1;
    while (end < order.length && order[end]?.v === order[start]?.v) end++;
    const rank = (start + 1 + end) / 2; // mean of ranks start+1 .. end
    for (let k = start; k < end; k++) {
      const item = order[k];
      if (item) ranks[item.i] = rank;
    }
    if (end - start > 1) tieSizes.push(end - start);
    groupSizes.push(end - start);
    start = end;
  }
  return { ranks, tieSizes, groupSizes };
}
