/**
 * Copies of small byte views packed one after another into shared 1 MiB slabs, for the session
 * log (session-log.ts). A flood of 4,000-byte datagrams made one allocation per entry, 100,000 a
 * second: the allocator's fragmentation and the garbage waiting for collection took a host whose
 * log budget is 32 MiB to ~250 MB (stalled-ui.load.test.ts).
 *
 * Each slab counts the copies in it that are still held; once the log has released them all, the
 * slab is filled again rather than left to the collector (a few are kept for that, the rest go).
 * The log drops its oldest entries first, so the live copies are the newest ones and the slabs
 * they pin are at most the live bytes plus the slab being filled and the oldest partly released.
 *
 * A released copy's bytes are written over once its slab is reused: the log hands entries to
 * readers that finish with them before they return (a page, an export, the CLI's print).
 */
export class ByteSlab {
  private current: Uint8Array | null = null;
  private used = 0;
  /** Copies still held, per slab's buffer. */
  private readonly live = new Map<ArrayBufferLike, number>();
  /** Slabs whose copies were all released, ready to fill again. */
  private readonly spare: Uint8Array[] = [];

  constructor(
    readonly slabBytes = 1024 * 1024,
    /** Emptied slabs kept for reuse; beyond these they are left to the collector. */
    readonly spareSlabs = 8,
  ) {}

  /** A copy of `src` that pins nothing of `src`'s buffer: in a slab if small, else a buffer of its own. */
  copy(src: Uint8Array): Uint8Array {
    const n = src.length;
    // Big copies get their own buffer: packing them would leave slabs mostly empty at their end.
    if (n === 0 || n > this.slabBytes / 16) return new Uint8Array(src);
    if (!this.current || this.used + n > this.current.length) {
      const full = this.current;
      this.current = this.spare.pop() ?? new Uint8Array(this.slabBytes);
      this.used = 0;
      this.live.set(this.current.buffer, 0);
      // The slab just filled may already be empty (its copies released while it filled).
      if (full && this.live.get(full.buffer) === 0) this.retire(full);
    }
    const view = this.current.subarray(this.used, this.used + n);
    view.set(src);
    this.live.set(this.current.buffer, this.live.get(this.current.buffer)! + 1);
    // 8-byte steps keep every copy aligned, as the allocator would.
    this.used += (n + 7) & ~7;
    return view;
  }

  /** The log no longer holds `bytes` (a copy made here; anything else is ignored). */
  release(bytes: Uint8Array): void {
    const left = this.live.get(bytes.buffer);
    if (left === undefined) return;
    this.live.set(bytes.buffer, left - 1);
    if (left === 1 && bytes.buffer !== this.current?.buffer) this.retire(new Uint8Array(bytes.buffer));
  }

  /** Slabs in use or kept spare, for the tests. */
  get slabs(): { live: number; spare: number } {
    return { live: this.live.size, spare: this.spare.length };
  }

  private retire(slab: Uint8Array): void {
    this.live.delete(slab.buffer);
    if (this.spare.length < this.spareSlabs) this.spare.push(slab);
  }
}
