import { describe, expect, it } from 'vitest';
import { entryCost, SessionLogs } from './session-log.ts';

const chunk = (n: number, fill = 1) => ({
  type: 'chunk' as const,
  dir: 'in' as const,
  at: 0,
  peer: null,
  code: null,
  message: null,
  bytes: new Uint8Array(n).fill(fill),
});

describe('SessionLogs', () => {
  it('numbers entries from 1 and pages the tail, before and after a seq', () => {
    const logs = new SessionLogs(1 << 20);
    logs.open('a');
    for (let i = 0; i < 10; i++) logs.append('a', chunk(1, i));
    expect(logs.page('a', { limit: 3 }).entries.map((e) => e.seq)).toEqual([8, 9, 10]);
    expect(logs.page('a', { before: 8, limit: 3 }).entries.map((e) => e.seq)).toEqual([5, 6, 7]);
    expect(logs.page('a', { after: 8, limit: 5 }).entries.map((e) => e.seq)).toEqual([9, 10]);
    expect(logs.page('a', { after: 10, limit: 5 }).entries).toEqual([]);
    const p = logs.page('a', { before: 1, limit: 5 });
    expect(p).toMatchObject({ entries: [], firstSeq: 1, lastSeq: 10, dropped: 0 });
  });

  it('keeps every byte of a 100 KB message', () => {
    const logs = new SessionLogs(1 << 20);
    logs.open('a');
    logs.append('a', chunk(100_024, 7));
    expect(logs.all('a')[0]!.bytes.length).toBe(100_024);
  });

  it('drops the oldest entry of any session first when the shared budget is full, and counts it', () => {
    const one = entryCost(chunk(1000));
    const logs = new SessionLogs(one * 4);
    logs.open('a');
    logs.open('b');
    logs.append('a', chunk(1000)); // a1 (oldest)
    logs.append('b', chunk(1000)); // b1
    logs.append('a', chunk(1000)); // a2
    logs.append('b', chunk(1000)); // b2
    logs.append('b', chunk(1000)); // b3: a1 goes
    expect(logs.page('a', { limit: 10 })).toMatchObject({ firstSeq: 2, lastSeq: 2, dropped: 1 });
    logs.append('b', chunk(1000)); // b4: b1 goes
    expect(logs.page('b', { limit: 10 }).entries.map((e) => e.seq)).toEqual([2, 3, 4]);
    expect(logs.page('b', { limit: 10 }).dropped).toBe(1);
    expect(logs.used).toBeLessThanOrEqual(one * 4);
  });

  it("returns a closed session's memory to the budget at once, and keeps seq rising after a clear", () => {
    const one = entryCost(chunk(1000));
    const logs = new SessionLogs(one * 4);
    logs.open('a');
    logs.open('b');
    for (let i = 0; i < 4; i++) logs.append('a', chunk(1000));
    logs.close('a');
    expect(logs.used).toBe(0);
    for (let i = 0; i < 4; i++) logs.append('b', chunk(1000));
    expect(logs.page('b', { limit: 10 })).toMatchObject({ firstSeq: 1, dropped: 0 });
    logs.clear('b');
    expect(logs.page('b', { limit: 10 })).toMatchObject({ entries: [], firstSeq: 5, lastSeq: 4, dropped: 4 });
    expect(logs.append('b', chunk(1)).seq).toBe(5);
  });
});
