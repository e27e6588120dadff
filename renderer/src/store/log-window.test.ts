import { describe, expect, it } from 'vitest';
import type { LogPage, SenderEvent, SessionSummary } from '../../../shared/contract/index.ts';
import { zeroCounters } from '../../../shared/contract/index.ts';
import {
  applyNewer,
  applyOlder,
  applyTail,
  appendLive,
  atStart,
  atTail,
  catchUpQuery,
  goneBeforeStart,
  logFromPage,
  pageSize,
  type SessionLog,
} from './log-window.ts';

/**
 * A backend log of seqs `from`..`to` (a UDP socket's datagrams), read the way SessionLogs.page
 * reads it: the pure window logic against the paging rules of session-log.ts.
 */
function backend(from: number, to: number) {
  const ev = (seq: number): SenderEvent => ({
    sessionId: 's',
    seq,
    type: 'chunk',
    dir: 'in',
    at: 1000 + seq,
    peer: '127.0.0.1:9',
    length: 1,
    hex: '61',
    text: `#${seq}`,
    truncated: false,
    code: null,
    message: null,
  });
  const session: SessionSummary = {
    id: 's',
    kind: 'udp',
    local: '127.0.0.1:5000',
    remote: null,
    connectMs: null,
    state: 'open',
    ...zeroCounters,
    received: to - from + 1,
    receivedBytes: to,
    framing: { kind: 'raw' },
    encoding: 'utf8',
    openedAt: 1000,
    messagesIn: to,
    clients: [],
    repeating: false,
  };
  return {
    ev,
    page(q: { before?: number; after?: number; limit: number }): LogPage {
      let lo: number;
      let hi: number;
      if (q.after !== undefined) {
        lo = Math.max(from, q.after + 1);
        hi = Math.min(to, lo + q.limit - 1);
      } else {
        hi = q.before !== undefined ? Math.min(to, q.before - 1) : to;
        lo = Math.max(from, hi - q.limit + 1);
      }
      const entries: SenderEvent[] = [];
      for (let s = lo; s <= hi; s++) entries.push(ev(s));
      return { session, entries, firstSeq: from, lastSeq: to, dropped: from - 1 };
    },
  };
}

const seqs = (log: SessionLog) => log.chunks.toArray().map((e) => e.seq);
const contiguous = (xs: number[]) => xs.every((x, i) => i === 0 || x === xs[i - 1]! + 1);

describe('the log window', () => {
  it('scrolls back page by page to the start of the log, never holding more than Keep, and forward again until it follows the tail', () => {
    const b = backend(1, 5000);
    let log = logFromPage(b.page({ limit: 1000 }), 1000);
    expect([log.firstSeq, log.lastSeq, atTail(log), atStart(log)]).toEqual([4001, 5000, true, false]);
    const size = pageSize(log.keep);
    let pages = 0;
    while (!atStart(log) && pages++ < 100) {
      const top = log.firstSeq;
      log = applyOlder(log, b.page({ before: log.firstSeq, limit: size }));
      expect(log.firstSeq).toBe(Math.max(1, top - size));
      expect(log.chunks.length).toBeLessThanOrEqual(1000);
      expect(log.messages.length).toBeLessThanOrEqual(1000);
      expect(contiguous(seqs(log))).toBe(true);
    }
    expect(seqs(log)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect([atStart(log), atTail(log), goneBeforeStart(log)]).toEqual([true, false, 0]);
    // live traffic meanwhile is counted, not put into a window that left the tail
    appendLive(log, [b.ev(5001)]);
    expect([log.lastSeq, log.countedSeq]).toEqual([1000, 5001]);
    const tail = backend(1, 5001);
    while (!atTail(log) && pages++ < 200) log = applyNewer(log, tail.page({ after: log.lastSeq, limit: size }), 's');
    expect([log.firstSeq, log.lastSeq, atTail(log), log.dropped]).toEqual([4002, 5001, true, 0]);
    expect(contiguous(seqs(log))).toBe(true);
    // following again: the next live entry is appended
    appendLive(log, [b.ev(5002)]);
    expect(log.lastSeq).toBe(5002);
  });

  it('says how many entries before the start the backend let go', () => {
    const log = logFromPage(backend(301, 400).page({ limit: 1000 }), 1000);
    expect([atStart(log), goneBeforeStart(log)]).toEqual([true, 300]);
  });

  it('reads a gap the stream dropped again, so the window has no hole', () => {
    const b = backend(1, 100);
    let log = logFromPage(backend(1, 10).page({ limit: 1000 }), 1000);
    appendLive(log, [b.ev(11), b.ev(12), b.ev(40), b.ev(41)]);
    expect([log.lastSeq, log.countedSeq]).toEqual([12, 41]);
    expect(catchUpQuery(log)).toEqual({ after: 12, limit: 1000 });
    log = applyNewer(log, b.page({ after: 12, limit: 1000 }), 's');
    expect(seqs(log)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect([atTail(log), log.dropped, catchUpQuery(log)]).toEqual([true, 0, null]);
    // the backend's exact counters as of the page
    expect(log.bytesIn).toBe(100);
  });

  it('marks and counts what the backend no longer held when the gap was read', () => {
    let log = logFromPage(backend(1, 10).page({ limit: 1000 }), 1000);
    appendLive(log, [backend(51, 60).ev(55)]);
    // the backend's budget let 11..50 go meanwhile
    log = applyNewer(log, backend(51, 60).page({ after: 10, limit: 1000 }), 's');
    const gone = log.chunks.at(10)!;
    expect(gone).toMatchObject({ seq: 11, code: 'SENDER_LOG_GONE', params: { n: 40 } });
    expect(log.messages.toArray().map((e) => e.code)).toContain('SENDER_LOG_GONE');
    expect(seqs(log).slice(11)).toEqual(Array.from({ length: 10 }, (_, i) => i + 51));
    expect([log.dropped, atTail(log)]).toEqual([40, true]);
    // the window still starts at #1: nothing above it was let go (the marker says what was)
    expect([atStart(log), goneBeforeStart(log)]).toEqual([true, 0]);
  });

  it('jumps to the tail when more than a window is missing (what lies between is scrolled back to)', () => {
    const log = logFromPage(backend(1, 10).page({ limit: 1000 }), 1000);
    appendLive(log, [backend(1, 50_000).ev(50_000)]);
    const q = catchUpQuery(log);
    expect(q).toEqual({ limit: 1000 });
    const next = applyTail(log, backend(1, 50_000).page(q!));
    expect([next.firstSeq, next.lastSeq, atTail(next), atStart(next)]).toEqual([49_001, 50_000, true, false]);
  });
});
