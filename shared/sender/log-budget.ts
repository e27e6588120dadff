/**
 * How much of a flood a session turns into log events. Formatting each datagram or chunk (hex,
 * text, JSON for the page) costs more than reading it, so under a flood the log would starve the
 * socket and the kernel would drop what the host could have counted. A token bucket per session
 * (refilled continuously, a quarter second of burst) admits events up to a rate and preview bytes
 * up to a rate; past the preview budget an event still goes, with its length but no bytes; past
 * the event budget it is not logged and counted (`notLogged` in the session's info), while the
 * session's counters (`received`, `receivedBytes`) stay exact. Connects, closes and errors are
 * never held back.
 *
 * The backend keeps every logged entry (session-log.ts), so each one is an object that lives
 * until the log's budget pushes it out; 50,000 a second (a screenful every millisecond) is
 * more than anyone reads and keeps a 100,000/s UDP flood on the socket rather than on the
 * garbage collector.
 */
export const logEventsPerSecond = 50_000;
export const logPreviewBytesPerSecond = 4 * 1024 * 1024;

export type LogVerdict = 'full' | 'bare' | 'skip';

export class LogBudget {
  private events: number;
  private bytes: number;
  private last: number;

  constructor(
    readonly eventsPerSecond = logEventsPerSecond,
    readonly bytesPerSecond = logPreviewBytesPerSecond,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.events = eventsPerSecond / 4;
    this.bytes = bytesPerSecond / 4;
    this.last = now();
  }

  /** Whether one data event with a preview of `previewBytes` is logged with it, bare, or not at all. */
  take(previewBytes: number): LogVerdict {
    const t = this.now();
    const dt = (t - this.last) / 1000;
    this.last = t;
    this.events = Math.min(this.eventsPerSecond / 4, this.events + dt * this.eventsPerSecond);
    this.bytes = Math.min(this.bytesPerSecond / 4, this.bytes + dt * this.bytesPerSecond);
    if (this.events < 1) return 'skip';
    this.events -= 1;
    if (this.bytes < previewBytes) return 'bare';
    this.bytes -= previewBytes;
    return 'full';
  }
}
