import { describe, expect, it } from 'vitest';
import { bucketOf, bucketRange, LatencyHistogram } from './histogram.ts';
import { countFailure, emptyCounts, latencyMs, rate, resultDoc } from './load-summary.ts';

describe('LatencyHistogram', () => {
  it('keeps every value within 1/64 of itself, exact below 128 µs', () => {
    for (const v of [0, 1, 127, 128, 129, 1000, 12_345, 999_999, 2 ** 30 + 17]) {
      const { low, width } = bucketRange(bucketOf(v));
      expect(v).toBeGreaterThanOrEqual(low);
      expect(v).toBeLessThan(low + width);
      if (v >= 128) expect(width / v).toBeLessThanOrEqual(1 / 64 + 1e-9);
      else expect(width).toBe(1);
    }
    expect(bucketRange(bucketOf(100))).toEqual({ low: 100, width: 1 });
  });

  it('buckets are contiguous: each starts where the previous ends', () => {
    for (let i = 1; i < 1728; i++) {
      const a = bucketRange(i - 1);
      expect(bucketRange(i).low).toBe(a.low + a.width);
    }
  });

  it('answers percentiles of 1..10000 µs within 2 %', () => {
    const h = new LatencyHistogram();
    for (let v = 1; v <= 10_000; v++) h.record(v);
    expect(h.count).toBe(10_000);
    for (const [p, want] of [
      [50, 5000],
      [90, 9000],
      [99, 9900],
    ] as const)
      expect(Math.abs(h.percentile(p) - want) / want).toBeLessThan(0.02);
    expect(h.percentile(100)).toBe(10_000);
    expect(h.max).toBe(10_000);
    expect(h.percentile(0)).toBe(1);
  });

  it('one slow request shows at p99 only when it is more than 1 % of them', () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 99; i++) h.record(200);
    h.record(50_000);
    expect(h.percentile(99)).toBeLessThan(210);
    expect(h.max).toBe(50_000);
    h.record(50_000);
    expect(h.percentile(99)).toBeGreaterThan(49_000);
  });

  it('merges by adding, and is empty after reset', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    a.record(100);
    b.record(300);
    a.merge(b);
    expect([a.count, a.min, a.max]).toEqual([2, 100, 300]);
    a.reset();
    expect([a.count, a.percentile(50), a.max]).toEqual([0, 0, 0]);
  });
});

describe('load summary', () => {
  it('latency in ms and the CLI document with exactly its keys', () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 10; i++) h.record(1500);
    const counts = emptyCounts(4);
    counts.connections.established = 3;
    counts.sent = 12;
    counts.answered = 10;
    countFailure(counts, 'ECONNREFUSED');
    countFailure(counts, 'ECONNREFUSED');
    const doc = resultDoc(counts, latencyMs(h), 2000);
    expect(Object.keys(doc)).toEqual(['connections', 'failed', 'requests', 'rps', 'latencyMs', 'errors']);
    expect(doc).toMatchObject({ connections: 3, failed: 2, requests: 10, rps: 5, errors: { ECONNREFUSED: 2 } });
    expect(doc.latencyMs.p50).toBeCloseTo(1.5, 1);
    expect(counts.sent).toBe(counts.answered + counts.failed);
    expect(rate(5, 0)).toBe(0);
  });
});
