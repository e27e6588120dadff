import type { SenderCounters, SessionInfo } from '../../../shared/contract/index.ts';
import type { EventHub } from '../../core/event-hub.ts';

type Counters = SenderCounters['sessions'][number];

/** How often the counters go out while they move: the log bar's once-a-second figures. */
export const countersIntervalMs = 1000;
/**
 * Every this many ticks every session's counters go out, moved or not. A page can miss one
 * event (a stalled page's batcher drops what its budget cannot hold; a tick can come before the
 * page shows a new session), and only a repeat heals it once the counts stop moving.
 */
export const countersResendTicks = 5;

function countersOf(info: SessionInfo): Counters {
  const { id, received, receivedBytes, sent, sentBytes, kernelDropped, notLogged, timedOutRules } = info;
  return { id, received, receivedBytes, sent, sentBytes, kernelDropped, notLogged, timedOutRules: [...timedOutRules] };
}

function same(a: Counters, b: Counters): boolean {
  return (
    a.received === b.received &&
    a.receivedBytes === b.receivedBytes &&
    a.sent === b.sent &&
    a.sentBytes === b.sentBytes &&
    a.kernelDropped === b.kernelDropped &&
    a.notLogged === b.notLogged &&
    a.timedOutRules.join() === b.timedOutRules.join()
  );
}

/**
 * Publishes `sender.counters`: once a tick, the sessions whose counters moved since the last
 * event, and every `countersResendTicks` ticks all of them. It ticks only while sessions are open
 * and reads them only while someone follows the stream, so an idle host reads no /proc table; a
 * view that subscribes later reads `sender.list` once and then follows.
 */
export class CountersTicker {
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly last = new Map<string, Counters>();
  private ticks = 0;

  constructor(
    private readonly hub: EventHub,
    /** Every open session's info, counters fresh (the kernel's drops read now). */
    private readonly infos: () => SessionInfo[],
    private readonly intervalMs = countersIntervalMs,
  ) {}

  /** Called when a session opens: starts the tick if it is not running. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref?.();
  }

  /** Called when a session closes: forgets it, and stops the tick once none is left. */
  forget(id: string, open: number): void {
    this.last.delete(id);
    if (open === 0) this.stop();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Whether the tick is running (while sessions are open). */
  get running(): boolean {
    return this.timer !== null;
  }

  /** One tick (public for the tests, which drive it without waiting for the clock). */
  tick(): void {
    if (this.hub.listenerCount('sender.counters') === 0) return;
    const all = ++this.ticks % countersResendTicks === 0;
    const moved: Counters[] = [];
    for (const info of this.infos()) {
      const now = countersOf(info);
      const before = this.last.get(now.id);
      if (!all && before && same(before, now)) continue;
      this.last.set(now.id, now);
      moved.push(now);
    }
    if (moved.length) this.hub.publish('sender.counters', { at: Date.now(), sessions: moved });
  }
}
