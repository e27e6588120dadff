import { describe, expect, it } from 'vitest';
import { ByteSlab } from './byte-slab.ts';
import { SessionLogs } from './session-log.ts';

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

describe('ByteSlab: the log’s small copies packed into reused slabs', () => {
  it('copies small views into one slab, pinning nothing of the source, and big ones into buffers of their own', () => {
    const slab = new ByteSlab(1024);
    const source = new Uint8Array(4096).fill(7);
    const a = slab.copy(source.subarray(10, 20));
    const b = slab.copy(bytes(30, 1));
    expect(a.buffer).toBe(b.buffer);
    expect(a.buffer).not.toBe(source.buffer);
    expect(a.buffer.byteLength).toBe(1024);
    expect([...a]).toEqual(new Array(10).fill(7));
    // 8-byte steps: b starts right after a's 16
    expect(b.byteOffset).toBe(16);
    const big = slab.copy(bytes(100, 2)); // over 1024 / 16
    expect(big.buffer.byteLength).toBe(100);
    source.fill(9);
    expect(a[0]).toBe(7);
  });

  it('a slab whose copies are all released is filled again instead of allocating a new one', () => {
    const slab = new ByteSlab(64, 2);
    const first = [slab.copy(bytes(4, 1)), slab.copy(bytes(4, 2))];
    const full = first[0]!.buffer;
    // fills the 64-byte slab (8 × 8 B), then moves to a second one
    for (let i = 0; i < 6; i++) slab.copy(bytes(4, 3));
    const next = slab.copy(bytes(4, 4));
    expect(next.buffer).not.toBe(full);
    expect(slab.slabs).toEqual({ live: 2, spare: 0 });
    // the first slab still holds 8 copies: released one by one, it becomes spare at the last
    for (const c of first) slab.release(c);
    expect(slab.slabs.spare).toBe(0);
    const rest = new ByteSlab(); // a copy made elsewhere is ignored
    slab.release(rest.copy(bytes(4, 0)));
    slab.release(bytes(4, 0));
    expect(slab.slabs).toEqual({ live: 2, spare: 0 });
  });

  it('under the session log, a flood far past the budget keeps reusing the same few slabs', () => {
    const slab = new ByteSlab(64 * 1024, 4);
    const allocated = new Set<ArrayBufferLike>();
    const logs = new SessionLogs(256 * 1024, (e) => slab.release(e.bytes));
    logs.open('s');
    for (let i = 0; i < 20_000; i++) {
      const copy = slab.copy(bytes(1000, i & 0xff));
      allocated.add(copy.buffer);
      logs.append('s', { type: 'chunk', dir: 'in', at: i, peer: null, code: null, message: null, bytes: copy });
    }
    // 20 MB went through a 256 KiB log: the slabs in use are the live bytes' worth plus a few
    expect(logs.used).toBeLessThanOrEqual(256 * 1024);
    expect(allocated.size).toBeLessThanOrEqual(256 / 64 + 4 + 2);
    // the newest entries still read back as they were written
    const tail = logs.page('s', { limit: 3 }).entries;
    expect(tail.map((e) => e.bytes[0])).toEqual([19_997 & 0xff, 19_998 & 0xff, 19_999 & 0xff]);
    expect(tail.every((e) => e.bytes.every((b) => b === e.bytes[0]))).toBe(true);
    // closing the session releases everything: every slab but the one being filled is spare (up to 4)
    logs.close('s');
    expect(slab.slabs.live).toBe(1);
    expect(slab.slabs.spare).toBe(Math.min(4, allocated.size - 1));
  });

  it('clearing a log releases its copies too', () => {
    const slab = new ByteSlab(256, 4);
    const logs = new SessionLogs(1 << 20, (e) => slab.release(e.bytes));
    logs.open('s');
    // 32 copies of 8 bytes fill a 256-byte slab: 40 take two
    for (let i = 0; i < 40; i++) logs.append('s', { type: 'chunk', dir: 'in', at: i, peer: null, code: null, message: null, bytes: slab.copy(bytes(8, i)) });
    expect(slab.slabs).toEqual({ live: 2, spare: 0 });
    logs.clear('s');
    expect(slab.slabs).toEqual({ live: 1, spare: 1 });
  });
});
