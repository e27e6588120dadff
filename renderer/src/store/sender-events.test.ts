import { describe, expect, it } from 'vitest';
import type { LogPage, SenderEvent, SessionSummary } from '../../../shared/contract/index.ts';
import { zeroCounters } from '../../../shared/contract/index.ts';
import { applyCounters, logFromPage, reduceSenderEvents, viewOf, type SenderView } from './sender-events.ts';
import { catchUpQuery } from './log-window.ts';

const summary = (p: Partial<SessionSummary> = {}): SessionSummary => ({
  id: 's',
  kind: 'tcp-client',
  local: '127.0.0.1:5000',
  remote: '127.0.0.1:80',
  connectMs: 1,
  state: 'open',
  ...zeroCounters,
  framing: { kind: 'delimiter', delimiter: '\n' },
  encoding: 'utf8',
  openedAt: 1000,
  messagesIn: 0,
  clients: [],
  repeating: false,
  ...p,
});
const ev = (seq: number, p: Partial<SenderEvent> = {}): SenderEvent => ({
  sessionId: 's',
  seq,
  type: 'chunk',
  dir: 'in',
  at: 1000 + seq,
  peer: '127.0.0.1:80',
  length: 3,
  hex: '616263',
  text: 'abc',
  truncated: false,
  code: null,
  message: null,
  ...p,
});
const page = (entries: SenderEvent[], s = summary()): LogPage => ({
  session: s,
  entries,
  firstSeq: entries[0]?.seq ?? 1,
  lastSeq: entries.at(-1)?.seq ?? 0,
  dropped: (entries[0]?.seq ?? 1) - 1,
});

function viewWith(entries: SenderEvent[], s = summary()): SenderView {
  return { sessions: [viewOf(s)], logs: { [s.id]: logFromPage(page(entries, s), 100) }, repeating: {} };
}

describe('sender view reducer', () => {
  it('rebuilds a tab from the backend: preset framing named, counters as the backend had them', () => {
    const v = viewWith([ev(1, { type: 'connect', dir: null }), ev(2), ev(3, { type: 'message', length: 2 })], summary({ receivedBytes: 3, messagesIn: 1 }));
    expect(v.sessions[0]).toMatchObject({ framing: 'line', framingLabel: 'delimiter \\n' });
    expect(v.logs.s).toMatchObject({ lastSeq: 3, bytesIn: 3, messagesIn: 1, startedAt: 1000 });
    expect(v.logs.s!.chunks.length).toBe(2);
    expect(v.logs.s!.messages.length).toBe(1);
    expect(viewOf(summary({ framing: { kind: 'delimiter', delimiter: '\r\n\r\n' } })).framing).toBe('custom');
  });

  it("shows an HTTP server's parsed request among the decoded messages, other notices only in the chunks column", () => {
    const raw = summary({ kind: 'tcp-server', framing: { kind: 'raw' } });
    const http = ev(2, {
      type: 'notice',
      dir: null,
      code: 'HTTP_REQUEST',
      params: { method: 'GET', path: '/', status: 200, bytes: 10, requestLine: 'GET / HTTP/1.1' },
    });
    const v = viewWith([ev(1), http, ev(3, { type: 'notice', dir: null, code: 'RELAY_JOINED', params: { name: 'a' } })], raw);
    expect(v.logs.s!.messages.length).toBe(2);
    expect(v.logs.s!.messages.at(1)!.code).toBe('HTTP_REQUEST');
    expect(v.logs.s!.chunks.length).toBe(3);
  });

  it('stitches the stream onto a page by seq: entries already read are not shown twice', () => {
    const v = viewWith([ev(1), ev(2)]);
    const { view } = reduceSenderEvents(v, [ev(2), ev(3), ev(4, { dir: 'out', length: 5 })], 5000);
    expect(view.logs.s!.chunks.toArray().map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(view.logs.s).toMatchObject({ lastSeq: 4, bytesIn: 3, bytesOut: 5, dropped: 0, version: 2 });
    // a batch of old news changes nothing
    expect(reduceSenderEvents(view, [ev(3)], 5000).view.logs.s).toBe(view.logs.s);
  });

  it('stops the window at a gap in seq (events the stream dropped) and asks the backend for them instead of counting them lost', () => {
    const { view } = reduceSenderEvents(viewWith([ev(1)]), [ev(5), ev(6)], 5000);
    const log = view.logs.s!;
    expect(log.chunks.toArray().map((e) => e.seq)).toEqual([1]);
    expect(log).toMatchObject({ lastSeq: 1, countedSeq: 6, dropped: 0, bytesIn: 6 });
    expect(catchUpQuery(log)).toEqual({ after: 1, limit: 100 });
  });

  it('hands back events of sessions it does not know, and drops the tab of a closed one', () => {
    const v = viewWith([ev(1)]);
    const r = reduceSenderEvents(v, [ev(1, { sessionId: 'other' })], 5000);
    expect(r.unknown.map((e) => e.sessionId)).toEqual(['other']);
    const closed = reduceSenderEvents({ ...v, repeating: { s: true } }, [ev(0, { type: 'session-closed', dir: null })], 5000);
    expect(closed.view.sessions).toEqual([]);
    expect(closed.view.logs).toEqual({});
    expect(closed.view.repeating).toEqual({});
    expect(closed.closed).toEqual(['s']);
  });

  it("follows a server's clients and a client's state, and ends a repeat", () => {
    const srv = summary({ kind: 'tcp-server', remote: null, framing: { kind: 'raw' } });
    const v = { ...viewWith([], srv), repeating: { s: true } };
    const { view } = reduceSenderEvents(
      v,
      [ev(1, { type: 'client-open', peer: '127.0.0.1:6000', dir: null }), ev(2, { peer: '127.0.0.1:6000' }), ev(3, { type: 'repeat-end', dir: null })],
      5000,
    );
    expect(view.sessions[0]!.clients).toMatchObject([{ peer: '127.0.0.1:6000', bytesIn: 3 }]);
    // raw framing: each incoming chunk is a message too
    expect(view.logs.s!.messages.length).toBe(1);
    expect(view.repeating).toEqual({});
    const cli = reduceSenderEvents(viewWith([ev(1)]), [ev(2, { type: 'close', dir: null, code: 'SENDER_CLOSED', message: 'connection closed' })], 5000);
    expect(cli.view.sessions[0]!.info.state).toBe('closed');
  });
});

describe('host counters in the view', () => {
  const counters = (p: Partial<SessionSummary>) => ({ ...zeroCounters, id: 's', ...p });
  it('a counters event sets the counts of its session only, and leaves every other field alone', () => {
    const views = [viewOf(summary()), viewOf(summary({ id: 't', received: 4 }))];
    const next = applyCounters(views, { at: 1, sessions: [counters({ received: 9, receivedBytes: 90, kernelDropped: 2, timedOutRules: [1] })] });
    expect(next[0]!.info).toEqual({ ...views[0]!.info, received: 9, receivedBytes: 90, kernelDropped: 2, timedOutRules: [1] });
    expect(next[1]).toBe(views[1]);
    // a session the page does not show changes nothing
    expect(applyCounters(views, { at: 1, sessions: [counters({ id: 'x', received: 1 })] })).toBe(views);
  });

  it('an older figure arriving late (a list read before the last event) does not set the counts back', () => {
    const views = applyCounters([viewOf(summary())], { at: 2, sessions: [counters({ received: 10, sent: 3, timedOutRules: [2] })] });
    const late = applyCounters(views, { at: 1, sessions: [counters({ received: 8, sent: 5, kernelDropped: null })] });
    expect(late[0]!.info).toMatchObject({ received: 10, sent: 5, timedOutRules: [2], kernelDropped: 0 });
  });
});
