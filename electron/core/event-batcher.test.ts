import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventBatcher } from './event-batcher.ts';
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
    expect(got).toEqual([{ n: 1000, dropped: 500 }]);
    b.push(1);
    vi.advanceTimersByTime(10);
    expect(got[1]).toEqual({ n: 1, dropped: 0 });
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

describe('Subscription', () => {
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
