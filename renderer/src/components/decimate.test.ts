import { describe, expect, it } from 'vitest';
import { decimate, lowerBound } from './decimate.ts';

describe('min/max decimation per pixel column', () => {
  const n = 100_000;
  const x = Array.from({ length: n }, (_, i) => i / 1000);
  const y = x.map((v, i) => (i === 54_321 ? 1e6 : Math.sin(v)));
  const gaps = x.map((_, i) => (i % 7 === 0 ? i : null));

  it('draws at most about four rows per column and series, keeping spikes and the ends', () => {
    const [dx, dy] = decimate([x, y], 0, 100, 500);
    expect(dx.length).toBeLessThanOrEqual(500 * 4 + 2);
    expect(dx.length).toBeGreaterThan(500);
    expect(Array.from(dy as (number | null)[])).toContain(1e6);
    expect([dx[0], dx[dx.length - 1]]).toEqual([0, x[n - 1]]);
  });

  it('zoomed in, keeps the rows in view plus one either side, and every row once zoomed far enough', () => {
    const [dx, dy] = decimate([x, y], 10, 10.2, 800);
    expect(dx[0]).toBeCloseTo(9.999, 6);
    expect(dx.length).toBe(202);
    expect(dy!.length).toBe(202);
  });

  it('keeps rows where only another series has a value, aligned (nulls stay nulls)', () => {
    const [dx, a, b] = decimate([x, y, gaps], 0, 100, 300);
    expect(a!.length).toBe(dx.length);
    expect(Array.from(b as (number | null)[]).some((v) => v === null)).toBe(true);
    expect(Array.from(b as (number | null)[]).filter((v) => v !== null).length).toBeGreaterThan(300);
  });

  it('reads NaN in a typed-array column (a graph series) as a gap and hands the chart null, never NaN', () => {
    const tx = Float64Array.from({ length: 10_000 }, (_, i) => i);
    const ty = tx.map((v) => (v % 3 === 0 ? NaN : v));
    for (const width of [100, 10_000]) {
      const [dx, dy] = decimate([tx, ty], 0, 10_000, width);
      const cells = Array.from(dy as (number | null)[]);
      expect(cells.some((v) => Number.isNaN(v))).toBe(false);
      expect(cells.length).toBe(dx.length);
      // a zoomed-out column keeps its highest value, which NaN must not hide
      if (width === 100) expect(Math.max(...cells.filter((v): v is number => v !== null))).toBe(9_998);
      else expect(cells.filter((v) => v === null).length).toBeGreaterThan(3000);
    }
  });

  it('finds the first row at or after a time', () => {
    expect(lowerBound([1, 2, 2, 3], 2)).toBe(1);
    expect(lowerBound([1, 2, 3], 9)).toBe(3);
  });
});
