import type { EventBatch, StreamEvent, StreamName } from '../../shared/contract/index.ts';
import { ByteBudget, defaultQueuedBytes, EventBatcher, type BatcherOptions } from './event-batcher.ts';

type Listener = (event: unknown) => void;

/** Services publish here; each connected UI (a window, a WebSocket) subscribes to what it shows. */
export class EventHub {
  private readonly listeners = new Map<StreamName, Set<Listener>>();

  publish<S extends StreamName>(stream: S, event: StreamEvent<S>): void {
    const set = this.listeners.get(stream);
    if (!set) return;
    for (const l of set) l(event);
  }

  on<S extends StreamName>(stream: S, listener: (event: StreamEvent<S>) => void): () => void {
    let set = this.listeners.get(stream);
    if (!set) {
      set = new Set();
      this.listeners.set(stream, set);
    }
    set.add(listener as Listener);
    return () => set.delete(listener as Listener);
  }

  listenerCount(stream: StreamName): number {
    return this.listeners.get(stream)?.size ?? 0;
  }
}

/**
 * One connection's view of the hub: a batcher per subscribed stream, all ended together when
 * the window or socket goes away. The streams share one byte budget, so a connection that stops
 * reading holds at most `maxQueuedBytes` of events however many streams it follows.
 */
export class Subscription {
  private readonly active = new Map<StreamName, { off: () => void; batcher: EventBatcher<unknown> }>();
  private readonly options: BatcherOptions;

  constructor(
    private readonly hub: EventHub,
    private readonly send: (batch: EventBatch) => void,
    options: BatcherOptions & { maxQueuedBytes?: number } = {},
  ) {
    const { maxQueuedBytes, ...rest } = options;
    this.options = { ...rest, budget: rest.budget ?? new ByteBudget(maxQueuedBytes ?? defaultQueuedBytes) };
  }

  subscribe(stream: StreamName): void {
    if (this.active.has(stream)) return;
    const batcher = new EventBatcher<unknown>((events, dropped) => this.send({ stream, events, dropped } as EventBatch), this.options);
    const off = this.hub.on(stream, (e) => batcher.push(e));
    this.active.set(stream, { off, batcher });
  }

  unsubscribe(stream: StreamName): void {
    const entry = this.active.get(stream);
    if (!entry) return;
    entry.off();
    entry.batcher.close(true);
    this.active.delete(stream);
  }

  close(): void {
    for (const stream of [...this.active.keys()]) this.unsubscribe(stream);
  }

  get streams(): StreamName[] {
    return [...this.active.keys()];
  }
}
