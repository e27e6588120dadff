import { describe, expect, it } from 'vitest';
import { EventDeque, lowerBound } from './event-deque.ts';

describe('EventDeque', () => {
  it('grows at both ends and gives entries oldest first', () => {
    const d = new EventDeque<number>(4);
    for (let i = 5; i <= 9; i++) d.push(i);
    for (let i = 4; i >= 1; i--) d.unshift(i);
    expect(d.toArray()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([d.first(), d.last(), d.at(9)]).toEqual([1, 9, undefined]);
    expect([d.shift(), d.pop(), d.length]).toEqual([1, 9, 7]);
    expect(d.toArray()).toEqual([2, 3, 4, 5, 6, 7, 8]);
  });

  it('stays bounded when one end is cut as the other grows (a flood through a window)', () => {
    const d = new EventDeque<number>(16);
    for (let i = 0; i < 1_000_000; i++) {
      d.push(i);
      if (d.length > 1000) d.shift();
    }
    expect(d.length).toBe(1000);
    expect(d.at(0)).toBe(999_000);
  });

  it('drops many entries from either end at once', () => {
    const d = new EventDeque<number>(4);
    for (let i = 1; i <= 10; i++) d.push(i);
    d.dropFirst(3);
    d.dropLast(2);
    expect(d.toArray()).toEqual([4, 5, 6, 7, 8]);
    d.dropFirst(99);
    expect(d.length).toBe(0);
  });

  it('finds an entry by its key', () => {
    const d = new EventDeque<number>();
    for (const x of [2, 4, 6, 8]) d.push(x);
    const id = (x: number) => x;
    expect([lowerBound(d, 1, id), lowerBound(d, 4, id), lowerBound(d, 5, id), lowerBound(d, 9, id)]).toEqual([0, 1, 2, 4]);
  });
});
