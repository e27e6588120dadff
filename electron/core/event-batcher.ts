/**
 * Collects events and hands them over in batches, so a stream of 100k small events a second
 * costs the UI a few dozen updates, not 100k. Like Signal's batcher the wait starts at the first
 * event (an idle stream sends nothing), and like VS Code's TerminalDataBufferer it flushes on a
 * short timer; a full batch flushes at once. While the consumer reports that it is backed up
 * (a WebSocket with megabytes unsent) events wait; past `maxQueued` events or past the byte
 * budget they are dropped and counted, and the count travels with the next batch so the UI can
 * say so rather than freeze — and the host's memory stays bounded however long the UI stalls.
 */
export interface BatcherOptions {
  flushMs?: number;
  maxBatch?: number;
  /** A batch is also full at this many (estimated) bytes: one delivery stays a bounded write. */
  maxBatchBytes?: number;
  maxQueued?: number;
  /**
   * What queued events may hold, in (estimated) bytes. Events carry payload previews (a sender
   * chunk holds up to 4 KiB as hex and as text), so a count alone does not bound memory.
   * Share one budget between batchers to bound a whole connection.
   */
  budget?: ByteBudget;
  /** The estimate of one event's size; `approxBytes` by default. */
  sizeOf?: (event: never) => number;
  /** True while the consumer cannot take more; delivery is retried on the next tick. */
  backedUp?: () => boolean;
}

/** Bytes that several batchers (one connection's streams) may hold between them. */
export class ByteBudget {
  private usedBytes = 0;
  constructor(readonly maxBytes: number) {}
  tryTake(n: number): boolean {
    if (this.usedBytes + n > this.maxBytes) return false;
    this.usedBytes += n;
    return true;
  }
  give(n: number): void {
    this.usedBytes = Math.max(0, this.usedBytes - n);
  }
  get used(): number {
    return this.usedBytes;
  }
}

/**
 * A cheap estimate of what a plain JSON-like value holds in memory (V8 strings take up to two
 * bytes a character) and, within a small factor, of its JSON size. Walks at most a few levels.
 */
export function approxBytes(value: unknown, depth = 0): number {
  switch (typeof value) {
    case 'string':
      return 16 + 2 * value.length;
    case 'object': {
      if (value === null) return 8;
      if (ArrayBuffer.isView(value)) return 16 + value.byteLength;
      if (depth >= 4) return 64;
      let n = 16;
      if (Array.isArray(value)) {
        for (const v of value as unknown[]) n += 8 + approxBytes(v, depth + 1);
      } else {
        for (const [k, v] of Object.entries(value)) n += 8 + 2 * k.length + approxBytes(v, depth + 1);
      }
      return n;
    }
    default:
      return 8;
  }
}

/** Per connection: about what one stalled UI may cost the host besides its socket's own buffer. */
export const defaultQueuedBytes = 16 * 1024 * 1024;
export const defaultBatchBytes = 512 * 1024;

export class EventBatcher<T> {
  private queue: T[] = [];
  private sizes: number[] = [];
  private queuedBytes = 0;
  private dropped = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  readonly flushMs: number;
  readonly maxBatch: number;
  readonly maxBatchBytes: number;
  readonly maxQueued: number;
  private readonly budget: ByteBudget;
  private readonly sizeOf: (event: T) => number;
  private readonly backedUp: () => boolean;

  constructor(
    private readonly deliver: (events: T[], dropped: number) => void,
    options: BatcherOptions = {},
  ) {
    this.flushMs = options.flushMs ?? 16;
    this.maxBatch = options.maxBatch ?? 1000;
    this.maxBatchBytes = options.maxBatchBytes ?? defaultBatchBytes;
    this.maxQueued = Math.max(options.maxQueued ?? 20_000, this.maxBatch);
    this.budget = options.budget ?? new ByteBudget(defaultQueuedBytes);
    this.sizeOf = (options.sizeOf as ((event: T) => number) | undefined) ?? approxBytes;
    this.backedUp = options.backedUp ?? (() => false);
  }

  push(event: T): void {
    if (this.closed) return;
    const size = this.sizeOf(event);
    if (this.queue.length >= this.maxQueued || !this.budget.tryTake(size)) {
      this.dropped++;
      return;
    }
    this.queue.push(event);
    this.sizes.push(size);
    this.queuedBytes += size;
    if (this.queue.length >= this.maxBatch || this.queuedBytes >= this.maxBatchBytes) this.flush();
    else if (this.timer === null) this.arm();
  }

  private arm(): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, this.flushMs);
  }

  /**
   * Delivers what is queued, a batch at a time (at most `maxBatch` events and about
   * `maxBatchBytes`), and stops as soon as the consumer is backed up. The drop count rides on
   * the first batch that has events: a batch of none would tell the UI nothing to attach it to.
   */
  flush(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.queue.length > 0) {
      if (this.backedUp()) {
        this.arm();
        return;
      }
      let n = 0;
      let bytes = 0;
      while (n < this.queue.length && n < this.maxBatch && (n === 0 || bytes + this.sizes[n]! <= this.maxBatchBytes)) bytes += this.sizes[n++]!;
      const events = n === this.queue.length ? this.queue : this.queue.slice(0, n);
      if (n === this.queue.length) {
        this.queue = [];
        this.sizes = [];
      } else {
        this.queue = this.queue.slice(n);
        this.sizes = this.sizes.slice(n);
      }
      this.queuedBytes -= bytes;
      this.budget.give(bytes);
      const dropped = this.dropped;
      this.dropped = 0;
      this.deliver(events, dropped);
      if (this.closed) return;
    }
  }

  /** Stops the timer; pending events are delivered first unless `discard` is set. */
  close(discard = false): void {
    if (!discard) this.flush();
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.budget.give(this.queuedBytes);
    this.queuedBytes = 0;
    this.queue = [];
    this.sizes = [];
    this.closed = true;
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Events dropped since the last delivery (reported with the next batch). */
  get droppedPending(): number {
    return this.dropped;
  }
}
