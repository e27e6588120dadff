import { describe, expect, it } from 'vitest';
import { LogBudget } from './log-budget.ts';

describe('log budget', () => {
  it('admits events up to its rate, previews up to its byte rate, and refills with time', () => {
    let t = 0;
    const b = new LogBudget(400, 4000, () => t);
    // a quarter second of burst: 100 events, 1000 preview bytes
    const first = Array.from({ length: 120 }, () => b.take(100));
    expect(first.filter((v) => v === 'full')).toHaveLength(10);
    expect(first.filter((v) => v === 'bare')).toHaveLength(90);
    expect(first.filter((v) => v === 'skip')).toHaveLength(20);
    t += 100; // 100 ms: 40 more events, 400 more bytes
    const next = Array.from({ length: 50 }, () => b.take(100));
    expect(next.filter((v) => v !== 'skip')).toHaveLength(40);
    expect(next.filter((v) => v === 'full')).toHaveLength(4);
  });
});
