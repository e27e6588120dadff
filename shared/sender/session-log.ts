import { limits } from '../contract/limits.ts';
import type { SenderEvent } from '../contract/sender.ts';

/**
 * The packet sender's log, held by the backend (SenderService) rather than by a page: every
 * raw chunk, decoded message and marker of every session, with its full bytes, so a page that
 * reloads reads it back, two pages show the same log, and an export holds every byte.
 *
 * All sessions share one memory budget (`limits.senderLogBytes`). Past it the oldest entry of
 * any session is dropped first — one global FIFO, so a quiet session's log is not emptied for
 * a busy one before the busy one's own older entries — and each session counts what it lost.
 * Within a session `seq` rises by one per entry and never repeats, so a reader can stitch a
 * page it read and the live tail of the event stream without gaps or duplicates.
 */
export interface LogEntry {
  seq: number;
  type: SenderEvent['type'];
  dir: SenderEvent['dir'];
  at: number;
  peer: string | null;
  code: string | null;
  message: string | null;
  /** The whole chunk or message (empty for markers); the log owns it (a copy, not a view of a socket's buffer). */
  bytes: Uint8Array;
  /** A decoded message's JSON header (header-json framing). */
  header?: Record<string, unknown>;
  /** The params of `code` (shared/contract/codes.ts). */
  params?: Record<string, string | number | boolean>;
}

/**
 * What one entry costs beyond its bytes, counted against the budget: measured, not guessed — a
 * million 8-byte entries appended under the default budget held ~630 bytes of heap each after a
 * full GC (the entry object, its Uint8Array, its strings, two queue slots), so an entry of an
 * 8-byte datagram counts as 648 bytes and 32 MiB holds ~50,000 of them.
 */
export const entryOverhead = 640;

export function entryCost(e: Pick<LogEntry, 'bytes' | 'peer' | 'message'>): number {
  return entryOverhead + e.bytes.length + 2 * ((e.peer?.length ?? 0) + (e.message?.length ?? 0));
}

/** A queue with O(1) push and shift (an array and a head index, compacted now and then). */
export class Fifo<T> {
  private items: T[] = [];
  private head = 0;
  get length(): number {
    return this.items.length - this.head;
  }
  push(x: T): void {
    this.items.push(x);
  }
  first(): T | undefined {
    return this.items[this.head];
  }
  at(i: number): T | undefined {
    return i < 0 ? undefined : this.items[this.head + i];
  }
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const x = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return x;
  }
  replace(items: T[]): void {
    this.items = items;
    this.head = 0;
  }
}

interface Ring {
  entries: Fifo<LogEntry>;
  /** The seq the next entry gets (the first is 1). */
  nextSeq: number;
  /** Entries dropped for the budget (or cleared), oldest first. */
  dropped: number;
  bytes: number;
  closed: boolean;
}

/** One page of a session's log: `entries` oldest first. */
export interface LogPage {
  entries: LogEntry[];
  /** The oldest seq still held (the next entry's seq when the log is empty). */
  firstSeq: number;
  /** The newest seq given out so far (0 before the first entry). */
  lastSeq: number;
  /** Entries this session lost to the budget, or to a clear. */
  dropped: number;
}

export class SessionLogs {
  private readonly rings = new Map<string, Ring>();
  /**
   * Every held entry of every session, oldest first, with the ring it belongs to (two slots per
   * entry rather than a wrapper object each: under a UDP flood every allocation counts);
   * entries of closed or cleared rings are skipped lazily.
   */
  private readonly order = new Fifo<LogEntry | Ring>();
  /** Bytes held by all sessions' entries (entryCost each). */
  used = 0;
  /** Items of `order` whose session closed or was cleared: compacted once they are half of it, so they do not pin memory. */
  private stale = 0;

  constructor(
    readonly budget: number = limits.senderLogBytes,
    /** Told of every entry the log lets go (dropped for the budget, cleared, or its session closed), e.g. to reuse its bytes' memory (byte-slab.ts). */
    private readonly released: (e: LogEntry) => void = () => {},
  ) {}

  open(id: string): void {
    if (!this.rings.has(id)) this.rings.set(id, { entries: new Fifo(), nextSeq: 1, dropped: 0, bytes: 0, closed: false });
  }

  /** Forgets a session's log (its memory returns to the budget at once). */
  close(id: string): void {
    const r = this.rings.get(id);
    if (!r) return;
    this.used -= r.bytes;
    r.closed = true;
    this.rings.delete(id);
    for (let i = 0; i < r.entries.length; i++) this.released(r.entries.at(i)!);
    this.forget(r.entries.length);
  }

  private forget(n: number): void {
    this.stale += n;
    if (this.stale > 0 && this.stale * 4 >= this.order.length) {
      const kept: (LogEntry | Ring)[] = [];
      for (let i = 0; i + 1 < this.order.length; i += 2) {
        const r = this.order.at(i) as Ring;
        const e = this.order.at(i + 1) as LogEntry;
        const first = r.entries.first();
        if (!r.closed && first && e.seq >= first.seq) kept.push(r, e);
      }
      this.order.replace(kept);
      this.stale = 0;
    }
  }

  has(id: string): boolean {
    return this.rings.has(id);
  }

  append(id: string, e: Omit<LogEntry, 'seq'>): LogEntry {
    const r = this.rings.get(id);
    if (!r) throw new Error(`no log for session ${id}`);
    const entry: LogEntry = { seq: r.nextSeq++, ...e };
    const cost = entryCost(entry);
    r.entries.push(entry);
    r.bytes += cost;
    this.used += cost;
    this.order.push(r);
    this.order.push(entry);
    while (this.used > this.budget && this.dropOldest()) {
      /* until within budget */
    }
    return entry;
  }

  /** Drops the oldest entry held by any session; false when nothing is left to drop. */
  private dropOldest(): boolean {
    for (;;) {
      const r = this.order.shift() as Ring | undefined;
      const entry = this.order.shift() as LogEntry | undefined;
      if (!r || !entry) return false;
      // a closed session's entry, or one a clear already removed
      if (r.closed || r.entries.first() !== entry) {
        this.stale = Math.max(0, this.stale - 1);
        continue;
      }
      r.entries.shift();
      this.released(entry);
      const cost = entryCost(entry);
      r.bytes -= cost;
      this.used -= cost;
      r.dropped++;
      return true;
    }
  }

  /** Drops every entry of a session (its seq keeps counting, so readers never see a number twice). */
  clear(id: string): void {
    const r = this.rings.get(id);
    if (!r) return;
    const n = r.entries.length;
    r.dropped += n;
    this.used -= r.bytes;
    r.bytes = 0;
    for (let i = 0; i < n; i++) this.released(r.entries.at(i)!);
    r.entries = new Fifo();
    this.forget(n);
  }

  /**
   * Up to `limit` entries: with `after`, the oldest ones newer than it (to catch up); with
   * `before`, the newest ones older than it (to scroll back); with neither, the newest (the tail).
   */
  page(id: string, q: { before?: number | undefined; after?: number | undefined; limit: number }): LogPage {
    const r = this.rings.get(id);
    if (!r) return { entries: [], firstSeq: 1, lastSeq: 0, dropped: 0 };
    const n = r.entries.length;
    const firstSeq = r.entries.first()?.seq ?? r.nextSeq;
    // seqs are contiguous within a ring: entry i has seq firstSeq + i
    let from: number;
    let to: number;
    if (q.after !== undefined) {
      from = Math.max(0, q.after + 1 - firstSeq);
      to = Math.min(n, from + q.limit);
    } else {
      to = q.before !== undefined ? Math.min(n, Math.max(0, q.before - firstSeq)) : n;
      from = Math.max(0, to - q.limit);
    }
    const entries: LogEntry[] = [];
    for (let i = from; i < to; i++) entries.push(r.entries.at(i)!);
    return { entries, firstSeq, lastSeq: r.nextSeq - 1, dropped: r.dropped };
  }

  /** Every entry a session holds, oldest first (for exports). */
  all(id: string): LogEntry[] {
    const r = this.rings.get(id);
    if (!r) return [];
    const out: LogEntry[] = [];
    for (let i = 0; i < r.entries.length; i++) out.push(r.entries.at(i)!);
    return out;
  }
}
