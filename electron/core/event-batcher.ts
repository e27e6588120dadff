/**
 * Collects events and hands them over in batches, so a stream of 100k small events a second
 * costs the UI a few dozen updates, not 100k. Like Signal's batcher the wait starts at the first
 * event (an idle stream sends nothing), and like VS Code's TerminalDataBufferer it flushes on a
 * short timer; a full batch flushes at once. While the consumer reports that it is backed up
 * (a WebSocket with megabytes unsent) events wait; past `maxQueued` they are dropped and counted,
 * and the count travels with the next batch so the UI can say so rather than freeze.
 */
export interface BatcherOptions {
  flushMs?: number;
  maxBatch?: number;
  maxQueued?: number;
  /** True while the consumer cannot take more; delivery is retried on the next tick. */
  backedUp?: () => boolean;
}

export class EventBatcher<T> {
  private queue: T[] = [];
  private dropped = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  readonly flushMs: number;
  readonly maxBatch: number;
  readonly maxQueued: number;
  private readonly backedUp: () => boolean;

  constructor(
    private readonly deliver: (events: T[], dropped: number) => void,
    options: BatcherOptions = {},
  ) {
    this.flushMs = options.flushMs ?? 16;
    this.maxBatch = options.maxBatch ?? 1000;
    this.maxQueued = Math.max(options.maxQueued ?? 20_000, this.maxBatch);
    this.backedUp = options.backedUp ?? (() => false);
  }

  push(event: T): void {
    if (this.closed) return;
    if (this.queue.length >= this.maxQueued) {
      this.dropped++;
      return;
    }
    this.queue.push(event);
    if (this.queue.length >= this.maxBatch) this.flush();
    else if (this.timer === null) this.arm();
  }

  private arm(): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, this.flushMs);
  }

  flush(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.queue.length === 0 && this.dropped === 0) return;
    if (this.backedUp()) {
      this.arm();
      return;
    }
    const events = this.queue;
    const dropped = this.dropped;
    this.queue = [];
    this.dropped = 0;
    this.deliver(events, dropped);
  }

  /** Stops the timer; pending events are delivered first unless `discard` is set. */
  close(discard = false): void {
    if (!discard) this.flush();
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.queue = [];
    this.closed = true;
  }

  get pending(): number {
    return this.queue.length;
  }
}
