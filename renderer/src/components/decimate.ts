/**
 * Column-aligned chart data: `x` ascending, each of `ys` as long as `x`, null (or NaN, in a typed
 * array such as a graph series' column) where a row has no value for that series (uPlot's
 * AlignedData shape, which wants null).
 */
export type Columns = [x: ArrayLike<number>, ...ys: ArrayLike<number | null>[]];

/** A cell as uPlot takes it: null where there is no value (null, undefined or NaN). */
const cell = (v: number | null | undefined): number | null => (v === null || v === undefined || v !== v ? null : v);

/** First index with x[i] >= v (x ascending). */
export function lowerBound(x: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Min/max decimation per pixel column: of the rows between xMin and xMax, keeps for every
 * series the first, last, lowest and highest value that falls in each of `width` columns (so
 * spikes and gaps survive), plus one row either side of the range so lines run to the edges.
 * A chart then draws at most ~4 × width × series rows whatever the data's size.
 */
export function decimate(data: Columns, xMin: number, xMax: number, width: number): Columns {
  const [x, ...ys] = data;
  const from = Math.max(0, lowerBound(x, xMin) - 1);
  const to = Math.min(x.length, lowerBound(x, xMax) + 1);
  const cols = Math.max(1, Math.floor(width));
  if (to - from <= cols * 4)
    return [Array.prototype.slice.call(x, from, to) as number[], ...ys.map((y) => Array.from({ length: to - from }, (_, i) => cell(y[from + i])))];
  const keep = new Uint8Array(to - from);
  keep[0] = 1;
  keep[to - from - 1] = 1;
  const span = xMax - xMin || 1;
  for (const y of ys) {
    let col = -1;
    let first = -1;
    let last = -1;
    let lo = -1;
    let hi = -1;
    const flush = () => {
      if (first < 0) return;
      keep[first - from] = keep[last - from] = keep[lo - from] = keep[hi - from] = 1;
    };
    for (let i = from; i < to; i++) {
      const v = cell(y[i]);
      if (v === null) continue;
      const c = Math.min(cols - 1, Math.max(0, Math.floor(((x[i]! - xMin) / span) * cols)));
      if (c !== col) {
        flush();
        col = c;
        first = last = lo = hi = i;
        continue;
      }
      last = i;
      if (v < y[lo]!) lo = i;
      if (v > y[hi]!) hi = i;
    }
    flush();
  }
  const outX: number[] = [];
  const outYs: (number | null)[][] = ys.map(() => []);
  for (let i = from; i < to; i++) {
    if (!keep[i - from]) continue;
    outX.push(x[i]!);
    for (let s = 0; s < ys.length; s++) outYs[s]!.push(cell(ys[s]![i]));
  }
  return [outX, ...outYs];
}
