import { afterEach, describe, expect, it, vi } from 'vitest';
import { approxBytes, ByteBudget, EventBatcher } from './event-batcher.ts';
import { EventHub, Subscription } from './event-hub.ts';

afterEach(() => vi.useRealTimers());

describe('EventBatcher', () => {
  it('delivers events pushed within one interval as one batch, and nothing while idle', () => {
    vi.useFakeTimers();
    const batches: number[][] = [];
    const b = new EventBatcher<number>((e) => batches.push(e), { flushMs: 16 });
    vi.advanceTimersByTime(100);
    expect(batches).toEqual([]);
    for (let i = 0; i < 5; i++) b.push(i);
    expect(batches).toEqual([]);
    vi.advanceTimersByTime(16);
    expect(batches).toEqual([[0, 1, 2, 3, 4]]);
  });

  it('flushes at once when a batch is full', () => {
    vi.useFakeTimers();
    const sizes: number[] = [];
    const b = new EventBatcher<number>((e) => sizes.push(e.length), { flushMs: 1000, maxBatch: 100 });
    for (let i = 0; i < 250; i++) b.push(i);
    expect(sizes).toEqual([100, 100]);
    b.flush();
    expect(sizes).toEqual([100, 100, 50]);
  });

  it('holds events while the consumer is backed up, then drops past the cap and reports how many', () => {
    vi.useFakeTimers();
    const got: { n: number; dropped: number }[] = [];
    let backedUp = true;
    const b = new EventBatcher<number>((e, dropped) => got.push({ n: e.length, dropped }), {
      flushMs: 10,
      maxBatch: 100,
      maxQueued: 1000,
      backedUp: () => backedUp,
    });
    for (let i = 0; i < 1500; i++) b.push(i);
    vi.advanceTimersByTime(50);
    expect(got).toEqual([]);
    expect(b.pending).toBe(1000);
    backedUp = false;
    vi.advanceTimersByTime(10);
    // Delivered a batch at a time (never more than maxBatch in one message); the count rides on the first.
    expect(got).toEqual([{ n: 100, dropped: 500 }, ...Array.from({ length: 9 }, () => ({ n: 100, dropped: 0 }))]);
    b.push(1);
    vi.advanceTimersByTime(10);
    expect(got[10]).toEqual({ n: 1, dropped: 0 });
  });

  it('bounds what a backed-up consumer holds in bytes, not only in events, and gives the bytes back on delivery', () => {
    vi.useFakeTimers();
    const got: { n: number; dropped: number }[] = [];
    let backedUp = true;
    const budget = new ByteBudget(1_000_000);
    const b = new EventBatcher<{ text: string }>((e, dropped) => got.push({ n: e.length, dropped }), { flushMs: 10, budget, backedUp: () => backedUp });
    // 100 events of ~64 KB each: far below the event cap, far over a 1 MB budget.
    const big = { text: 'x'.repeat(32_000) };
    for (let i = 0; i < 100; i++) b.push(big);
    expect(b.pending).toBe(15);
    expect(b.droppedPending).toBe(85);
    expect(budget.used).toBeLessThanOrEqual(1_000_000);
    backedUp = false;
    vi.advanceTimersByTime(10);
    expect(got.reduce((n, g) => n + g.n, 0)).toBe(15);
    expect(got[0]!.dropped).toBe(85);
    expect(budget.used).toBe(0);
  });

  it('splits a flush into batches of about maxBatchBytes and stops as soon as the consumer backs up', () => {
    vi.useFakeTimers();
    const sizes: number[] = [];
    let sent = 0;
    let blocked = true;
    const b = new EventBatcher<string>(
      (e) => {
        sizes.push(e.length);
        sent++;
      },
      { flushMs: 10, maxBatchBytes: 10_000, backedUp: () => blocked || sent >= 2 },
    );
    for (let i = 0; i < 10; i++) b.push('y'.repeat(2_000)); // ~4 KB each
    blocked = false;
    vi.advanceTimersByTime(10);
    expect(sizes).toEqual([2, 2]);
    expect(b.pending).toBe(6);
  });

  it('keeps the drop count until a batch with events can carry it', () => {
    vi.useFakeTimers();
    const got: { n: number; dropped: number }[] = [];
    const budget = new ByteBudget(100);
    const b = new EventBatcher<string>((e, dropped) => got.push({ n: e.length, dropped }), { flushMs: 10, budget });
    b.push('z'.repeat(1000));
    vi.advanceTimersByTime(50);
    expect(got).toEqual([]);
    b.push('ok');
    vi.advanceTimersByTime(10);
    expect(got).toEqual([{ n: 1, dropped: 1 }]);
  });

  it('stops after close and delivers what was pending', () => {
    vi.useFakeTimers();
    const batches: number[][] = [];
    const b = new EventBatcher<number>((e) => batches.push(e));
    b.push(1);
    b.close();
    b.push(2);
    vi.advanceTimersByTime(100);
    expect(batches).toEqual([[1]]);
  });
});

describe('approxBytes', () => {
  it('counts strings at two bytes a character, through nested objects and arrays', () => {
    expect(approxBytes('abcd')).toBe(24);
    const event = { hex: 'ab'.repeat(4096), text: 'x'.repeat(4096), n: 1 };
    expect(approxBytes(event)).toBeGreaterThan(3 * 8192);
    expect(approxBytes([event, event])).toBeGreaterThan(2 * approxBytes(event));
    expect(approxBytes(new Uint8Array(1000))).toBeGreaterThanOrEqual(1000);
  });
});

describe('Subscription', () => {
  it('shares one byte budget between the streams of a connection', () => {
    vi.useFakeTimers();
    const hub = new EventHub();
    const got: { stream: string; n: number; dropped: number }[] = [];
    let backedUp = true;
    const sub = new Subscription(hub, (batch) => got.push({ stream: batch.stream, n: batch.events.length, dropped: batch.dropped }), {
      flushMs: 10,
      maxQueuedBytes: 200_000,
      backedUp: () => backedUp,
    });
    sub.subscribe('app.notice');
    sub.subscribe('generator.progress');
    const notice = { id: '1', level: 'info' as const, code: 'X', message: 'm'.repeat(20_000), at: 'now' };
    for (let i = 0; i < 10; i++) hub.publish('app.notice', notice);
    const progress = { id: 'g', state: 'running' as const, report: null, target: 't'.repeat(20_000), received: null, lost: null, error: null };
    for (let i = 0; i < 10; i++) hub.publish('generator.progress', progress);
    backedUp = false;
    vi.advanceTimersByTime(10);
    const kept = got.reduce((n, g) => n + g.n, 0);
    expect(kept).toBeLessThanOrEqual(5); // 200 KB holds about five 40 KB events, not ten of each stream
    // One more event on each stream carries what that stream dropped.
    hub.publish('app.notice', { ...notice, message: 'small' });
    hub.publish('generator.progress', { ...progress, target: 'small' });
    vi.advanceTimersByTime(10);
    const dropped = got.reduce((n, g) => n + g.dropped, 0);
    expect(kept + dropped).toBe(20);
    expect(got.filter((g) => g.stream === 'generator.progress' && g.dropped > 0)).toHaveLength(1);
    sub.close();
  });

  it('batches hub events per stream and stops listening when closed', () => {
    vi.useFakeTimers();
    const hub = new EventHub();
    const got: unknown[] = [];
    const sub = new Subscription(hub, (batch) => got.push(batch), { flushMs: 10 });
    sub.subscribe('app.notice');
    const notice = { id: '1', level: 'info' as const, code: 'X', message: 'm', at: 'now' };
    hub.publish('app.notice', notice);
    hub.publish('app.notice', { ...notice, id: '2' });
    vi.advanceTimersByTime(10);
    expect(got).toEqual([{ stream: 'app.notice', events: [notice, { ...notice, id: '2' }], dropped: 0 }]);
    sub.close();
    expect(hub.listenerCount('app.notice')).toBe(0);
  });
});
