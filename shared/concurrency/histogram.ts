/**
 * A latency histogram in the HDR style (Gil Tene's HdrHistogram): values in whole microseconds,
 * exact below 128 µs, then 64 buckets per power of two, so every recorded value is known to
 * within 1/64 (≈1.6 %) whatever its size, in a fixed 1,728 counters. Recording is O(1) with no
 * allocation (the load generator records hundreds of thousands of requests a second), and two
 * histograms merge by adding counters. Values above 2^31 − 1 µs (≈36 min) are clamped.
 */
const exact = 128;
const perOctave = 64;
/** Octaves 7..30 of 32-bit values, 64 buckets each, after the 128 exact ones. */
const bucketCount = exact + (31 - 7) * perOctave;
const maxValue = 2 ** 31 - 1;

export function bucketOf(us: number): number {
  const v = Math.min(maxValue, Math.max(0, Math.floor(us)));
  if (v < exact) return v;
  const octave = 31 - Math.clz32(v); // floor(log2 v), 7 or more
  const shift = octave - 6;
  return exact + (octave - 7) * perOctave + ((v >>> shift) - perOctave);
}

/** The lowest value bucket `i` holds, and how many values it spans. */
export function bucketRange(i: number): { low: number; width: number } {
  if (i < exact) return { low: i, width: 1 };
  const octave = 7 + Math.floor((i - exact) / perOctave);
  const shift = octave - 6;
  const sub = perOctave + ((i - exact) % perOctave);
  return { low: sub * 2 ** shift, width: 2 ** shift };
}

export class LatencyHistogram {
  readonly counts = new Float64Array(bucketCount);
  count = 0;
  /** Exact extremes, in µs (the buckets round; max is what users quote). */
  min = Infinity;
  max = 0;
  sum = 0;

  record(us: number): void {
    this.counts[bucketOf(us)]!++;
    this.count++;
    this.sum += us;
    if (us < this.min) this.min = us;
    if (us > this.max) this.max = us;
  }

  merge(other: LatencyHistogram): void {
    for (let i = 0; i < bucketCount; i++) this.counts[i]! += other.counts[i]!;
    this.count += other.count;
    this.sum += other.sum;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = 0;
  }

  /**
   * The value at percentile p (0–100): the smallest recorded value v such that at least p % of
   * the values are ≤ v (HdrHistogram's getValueAtPercentile), as the middle of its bucket,
   * within [min, max]. 0 when empty.
   */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil((Math.min(100, Math.max(0, p)) / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < bucketCount; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) {
        const { low, width } = bucketRange(i);
        return Math.min(this.max, Math.max(this.min, low + (width - 1) / 2));
      }
    }
    return this.max;
  }
}
