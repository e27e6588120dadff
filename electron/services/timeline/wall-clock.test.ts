import { describe, expect, it } from 'vitest';
import { wallClock, wallClockFrom } from './wall-clock.ts';

const ms = (t: { tsSec: number; tsNs: number }) => t.tsSec * 1000 + t.tsNs / 1e6;

describe('the wall clock the timeline stamps with', () => {
  it('follows the realtime clock after it was slewed away from the monotonic one (3 s here)', () => {
    let fine = 1000.25;
    let real = 1_700_000_000_000 + 1000;
    const clock = wallClockFrom(
      () => fine,
      () => real,
      1_700_000_000_000,
    );
    expect(ms(clock())).toBeCloseTo(real + 0.25, 3);
    // NTP sets the system clock 3 s ahead; the monotonic clock does not move.
    real += 3000;
    fine += 0.1;
    expect(Math.abs(ms(clock()) - real)).toBeLessThan(1);
    // Sub-millisecond steps still show between two Date.now() milliseconds.
    const a = ms(clock());
    fine += 0.3;
    const b = ms(clock());
    expect(b - a).toBeCloseTo(0.3, 3);
  });

  it('reads the real clock of this process within a millisecond', () => {
    const before = Date.now();
    const t = ms(wallClock());
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThan(Date.now() + 1);
  });
});
