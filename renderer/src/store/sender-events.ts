import type { LogPage, SenderEvent, SessionInfo, SessionSummary } from '../../../shared/contract/index.ts';
import { EventRing } from '../../../shared/sender/event-ring.ts';
import { describeFraming, type Framing, type FramingName } from '../../../shared/sender/framing.ts';
import { framingNameOf } from '../../../shared/sender/framing-form.ts';

/**
 * What a page shows of the sessions the backend holds, and the pure step that folds the event
 * stream into it. The backend owns the sessions and their logs (SenderService, session-log.ts);
 * this is view state: a window of each log (a ring the size of the "Keep" setting) read from
 * `sender.log` and continued from `sender.event`, stitched by seq.
 */
export interface SessionLog {
  /** Bytes and messages received in the last full second, for the live rate. */
  rate: { second: number; bytes: number; messages: number; lastBytes: number; lastMessages: number };
  /** Raw reads/writes and lifecycle markers, in arrival order (mutated in place; see `version`). */
  chunks: EventRing<SenderEvent>;
  /** Messages the framing decoded from the incoming stream (with raw framing: every incoming chunk). */
  messages: EventRing<SenderEvent>;
  /** Bumped once per applied batch, so components re-render without the rings being copied. */
  version: number;
  /** The newest seq applied: a later event with this seq or less is one already shown. */
  lastSeq: number;
  bytesIn: number;
  bytesOut: number;
  messagesIn: number;
  /** Entries this view missed: the stream's drops, gaps in seq, and what the backend's budget let go. */
  dropped: number;
  startedAt: number;
}

export interface ClientView {
  peer: string;
  since: number;
  bytesIn: number;
  bytesOut: number;
}

export interface SessionView {
  info: SessionInfo;
  /** The preset in force, or 'custom'; `framingLabel` describes the rule actually in force. */
  framing: FramingName | 'custom';
  framingLabel: string;
  /** What goes out is wrapped this way (the composer shows it and computes its lengths); `framing` unless set apart. */
  framingOut: Framing;
  /** UDP sessions remember where the user sends to. */
  destHost: string;
  destPort: string;
  /** TCP server: connected clients (from client-open/close events) and who a send goes to ('' = all). */
  clients: ClientView[];
  sendTo: string;
}

export interface SenderView {
  sessions: SessionView[];
  logs: Record<string, SessionLog>;
  /** Sessions with a repeat running (cleared by the service's repeat-end event). */
  repeating: Record<string, boolean>;
}

const infoKeys = [
  'id',
  'kind',
  'local',
  'remote',
  'connectMs',
  'state',
  'received',
  'receivedBytes',
  'sent',
  'sentBytes',
  'kernelDropped',
  'notLogged',
  'timedOutRules',
] as const;

/** A tab for a session the backend reports (opened here, before a reload, or in another window). */
/** "length 4 B LE", or "in: raw · out: JSON header (data_size)" when the directions differ. */
export function framingLabelOf(framingIn: Framing, framingOut: Framing): string {
  const a = describeFraming(framingIn);
  const b = describeFraming(framingOut);
  return a === b ? a : `in: ${a} · out: ${b}`;
}

export function viewOf(s: SessionSummary): SessionView {
  const info = Object.fromEntries(infoKeys.map((k) => [k, s[k]])) as SessionInfo;
  return {
    info,
    framing: framingNameOf(s.framing),
    framingLabel: framingLabelOf(s.framingIn ?? s.framing, s.framingOut ?? s.framing),
    framingOut: s.framingOut ?? s.framing,
    destHost: s.kind === 'udp' ? '127.0.0.1' : '',
    destPort: '',
    clients: s.clients.map((c) => ({ ...c })),
    sendTo: '',
  };
}

export const emptyLog = (capacity: number, startedAt = 0): SessionLog => ({
  rate: { second: 0, bytes: 0, messages: 0, lastBytes: 0, lastMessages: 0 },
  chunks: new EventRing(capacity),
  messages: new EventRing(capacity),
  version: 0,
  lastSeq: 0,
  bytesIn: 0,
  bytesOut: 0,
  messagesIn: 0,
  dropped: 0,
  startedAt,
});

function pushEntry(log: SessionLog, e: SenderEvent, raw: boolean): void {
  if (e.type === 'message') log.messages.push(e);
  else {
    log.chunks.push(e);
    // Without framing every incoming chunk is a message of its own.
    if (raw && e.type === 'chunk' && e.dir === 'in') log.messages.push(e);
    // an HTTP server's request, parsed (http-dir): what the raw chunks decoded to
    if (e.type === 'notice' && e.code === 'HTTP_REQUEST') log.messages.push(e);
  }
}

/**
 * A session's view from a page of its log: the entries (the tail the ring holds) and the
 * counters as the backend had them at that same instant, so events after `lastSeq` add to
 * them exactly once.
 */
export function logFromPage(page: LogPage, capacity: number): SessionLog {
  const log = emptyLog(capacity, page.session.openedAt);
  const raw = page.session.framing.kind === 'raw';
  for (const e of page.entries) pushEntry(log, e, raw);
  log.lastSeq = page.lastSeq;
  log.bytesIn = page.session.receivedBytes;
  log.bytesOut = page.session.sentBytes;
  log.messagesIn = page.session.messagesIn;
  log.dropped = page.dropped;
  log.version = 1;
  return log;
}

/**
 * Folds one batch of `sender.event` into the view: each session's new entries (seq above what
 * it shows, so a page read and the stream never double an entry), counters, the live rate,
 * server clients, client state and running repeats. Events the stream had to drop show as
 * gaps in seq and are counted per session (`dropped`). Sessions this view does not know yet are
 * handed back in `unknown` (the caller reads their log and adds their tab); `session-closed`
 * removes a tab, whichever window closed it. Returns new objects; the rings are appended in
 * place (their `version` tells React).
 */
export function reduceSenderEvents(view: SenderView, events: SenderEvent[], nowMs: number): { view: SenderView; unknown: SenderEvent[]; closed: string[] } {
  const grouped = new Map<string, SenderEvent[]>();
  for (const e of events) {
    const list = grouped.get(e.sessionId) ?? [];
    list.push(e);
    grouped.set(e.sessionId, list);
  }
  const logs = { ...view.logs };
  let sessions = view.sessions;
  let repeating = view.repeating;
  const unknown: SenderEvent[] = [];
  const closed: string[] = [];
  for (const [id, list] of grouped) {
    if (list.some((e) => e.type === 'session-closed')) {
      closed.push(id);
      delete logs[id];
      sessions = sessions.filter((v) => v.info.id !== id);
      if (repeating[id]) {
        repeating = { ...repeating };
        delete repeating[id];
      }
      continue;
    }
    const old = logs[id];
    if (!old) {
      unknown.push(...list);
      continue;
    }
    const fresh = list.filter((e) => e.seq > old.lastSeq);
    if (!fresh.length) continue;
    const viewOfId = sessions.find((v) => v.info.id === id);
    const raw = viewOfId?.framing === 'raw';
    const log: SessionLog = { ...old };
    let inBytes = 0;
    let outBytes = 0;
    let messages = 0;
    let gaps = 0;
    let seq = old.lastSeq;
    for (const e of fresh) {
      if (seq && e.seq > seq + 1) gaps += e.seq - seq - 1;
      seq = Math.max(seq, e.seq);
      pushEntry(log, e, raw);
      if (e.type === 'message') messages++;
      else if (e.type === 'chunk') {
        if (e.dir === 'in') {
          inBytes += e.length;
          if (raw) messages++;
        } else outBytes += e.length;
      }
    }
    // The live rate: counts roll over once per wall-clock second.
    const second = Math.floor(nowMs / 1000);
    const r =
      log.rate.second === second
        ? { ...log.rate }
        : {
            second,
            bytes: 0,
            messages: 0,
            lastBytes: log.rate.second === second - 1 ? log.rate.bytes : 0,
            lastMessages: log.rate.second === second - 1 ? log.rate.messages : 0,
          };
    r.bytes += inBytes;
    r.messages += messages;
    // Events the stream dropped (a stalled page) show as gaps in this session's seq.
    Object.assign(log, {
      rate: r,
      version: old.version + 1,
      lastSeq: seq,
      startedAt: old.startedAt || fresh[0]!.at,
      bytesIn: old.bytesIn + inBytes,
      bytesOut: old.bytesOut + outBytes,
      messagesIn: old.messagesIn + messages,
      dropped: old.dropped + gaps,
    });
    logs[id] = log;
    if (fresh.some((e) => e.type === 'repeat-end') && repeating[id]) {
      repeating = { ...repeating };
      delete repeating[id];
    }
    if (viewOfId?.info.kind === 'tcp-server') {
      // Per-client counters, from the same events the log shows.
      const byPeer = new Map(viewOfId.clients.map((c) => [c.peer, { ...c }]));
      for (const e of fresh) {
        if (e.type === 'client-open' && e.peer) byPeer.set(e.peer, { peer: e.peer, since: e.at, bytesIn: 0, bytesOut: 0 });
        else if (e.type === 'client-close' && e.peer) byPeer.delete(e.peer);
        else if (e.type === 'chunk' && e.peer && byPeer.has(e.peer)) {
          const c = byPeer.get(e.peer)!;
          if (e.dir === 'in') c.bytesIn += e.length;
          else c.bytesOut += e.length;
        }
      }
      const clients = [...byPeer.values()];
      sessions = sessions.map((v) => (v.info.id === id ? { ...v, clients, sendTo: clients.some((c) => c.peer === v.sendTo) ? v.sendTo : '' } : v));
    }
    // The newest of "connection closed" and "connected" decides (a reconnect sends both, in order).
    const last = fresh.findLast((e) => e.type === 'connect' || (e.type === 'close' && e.code === 'SENDER_CLOSED'));
    if (last) {
      const state = last.type === 'connect' ? 'open' : 'closed';
      sessions = sessions.map((v) => (v.info.id === id && v.info.kind === 'tcp-client' ? { ...v, info: { ...v.info, state } } : v));
    }
  }
  return { view: { sessions, logs, repeating }, unknown, closed };
}
