import { describe, expect, it } from 'vitest';
import { linkArrivalsSchema } from './link.ts';
import { timelineEventSchema } from './timeline.ts';

// The arrivals travel as three columns indexed together (renderer/src/store/timeline-slice.ts
// appends them, segmentArrivals reads them by one index): a short column would shift every row after it.
describe('linkArrivalsSchema', () => {
  it('takes three columns of one length, arrived null where the run could not tell', () => {
    expect(linkArrivalsSchema.safeParse({ frame: [1, 2, 3], arrived: [true, false, null], oneWayMs: [0.5, null, null] }).success).toBe(true);
    expect(linkArrivalsSchema.safeParse({ frame: [], arrived: [], oneWayMs: [] }).success).toBe(true);
  });

  it('refuses columns of different lengths, naming the one that differs', () => {
    const short = linkArrivalsSchema.safeParse({ frame: [1, 2, 3], arrived: [true, true], oneWayMs: [1, 2, 3] });
    expect(short.success).toBe(false);
    expect(short.error!.issues).toMatchObject([{ path: ['arrived'], message: 'arrived: one entry per frame (3), not 2' }]);
    const long = linkArrivalsSchema.safeParse({ frame: [1], arrived: [true], oneWayMs: [1, 2] });
    expect(long.error!.issues).toMatchObject([{ path: ['oneWayMs'], message: 'oneWayMs: one entry per frame (1), not 2' }]);
  });

  it('is checked inside a timeline event too', () => {
    const event = { timelineId: 't', packets: [], markers: [], kernel: [], status: null, arrivals: { frame: [1, 2], arrived: [true], oneWayMs: [1, 2] } };
    const r = timelineEventSchema.safeParse(event);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(['arrivals', 'arrived']);
  });
});
