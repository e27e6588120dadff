import { describe, expect, it } from 'vitest';
import { EventRing } from './event-ring.ts';

describe('EventRing', () => {
  it('keeps the newest entries in order and counts what it dropped', () => {
    const r = new EventRing<number>(3);
    for (let i = 1; i <= 5; i++) r.push(i);
    expect(r.length).toBe(3);
    expect(r.toArray()).toEqual([3, 4, 5]);
    expect([r.at(0), r.at(2), r.at(3)]).toEqual([3, 5, undefined]);
    expect(r.evicted).toBe(2);
  });
  it('stays bounded under a flood', () => {
    const r = new EventRing<number>(1000);
    for (let i = 0; i < 1_000_000; i++) r.push(i);
    expect(r.length).toBe(1000);
    expect(r.at(0)).toBe(999_000);
  });
});
