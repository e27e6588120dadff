import type { SenderCounters, SenderEvent, SessionInfo, SessionSummary } from '../../../shared/contract/index.ts';
import { describeFraming, type Framing, type FramingName } from '../../../shared/sender/framing.ts';
import { framingNameOf } from '../../../shared/sender/framing-form.ts';
import { appendLive, type SessionLog } from './log-window.ts';

/**
 * What a page shows of the sessions the backend holds, and the pure step that folds the event
 * stream into it. The backend owns the sessions and their logs (SenderService, session-log.ts);
 * this is view state: a window of each log (log-window.ts) read from `sender.log` and continued
 * from `sender.event`, stitched by seq.
 */
export type { SessionLog } from './log-window.ts';
export { emptyLog, logFromPage } from './log-window.ts';

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

/**
 * Folds one batch of `sender.event` into the view: each session's new entries (seq above what
 * it shows, so a page read and the stream never double an entry), counters, the live rate,
 * server clients, client state and running repeats. Events the stream had to drop show as
 * gaps in seq: the window stops there until the store has read them again. Sessions this view does not know yet are
 * handed back in `unknown` (the caller reads their log and adds their tab); `session-closed`
 * removes a tab, whichever window closed it. Returns new objects; the deques are appended in
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
    // Seq above what was counted: a page read and the stream never double an entry.
    const fresh = list.filter((e) => e.seq > old.countedSeq);
    if (!fresh.length) continue;
    const viewOfId = sessions.find((v) => v.info.id === id);
    const raw = old.raw;
    const log: SessionLog = { ...old };
    let inBytes = 0;
    let outBytes = 0;
    let messages = 0;
    for (const e of fresh) {
      if (e.type === 'message') messages++;
      else if (e.type === 'chunk') {
        if (e.dir === 'in') {
          inBytes += e.length;
          if (raw) messages++;
        } else outBytes += e.length;
      }
    }
    // Into the window while it follows the tail; past a gap (the stream dropped events under a
    // stalled page) it stops, and the store reads the rest with `sender.log {after}` (catchUpQuery).
    appendLive(log, fresh);
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
    Object.assign(log, {
      rate: r,
      version: old.version + 1,
      startedAt: old.startedAt || fresh[0]!.at,
      bytesIn: old.bytesIn + inBytes,
      bytesOut: old.bytesOut + outBytes,
      messagesIn: old.messagesIn + messages,
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

/**
 * Folds a `sender.counters` event (or a `sender.list` reply) into the sessions' infos. A session's
 * counters only ever grow, so each keeps the larger of the two figures: a list reply that was
 * read before a counters event but applied after it cannot set the view back. Nothing else of a
 * session changes; counters of a session this page does not show are left for its sync to read.
 */
export function applyCounters(sessions: SessionView[], counters: SenderCounters): SessionView[] {
  const byId = new Map(counters.sessions.map((c) => [c.id, c]));
  if (!sessions.some((v) => byId.has(v.info.id))) return sessions;
  return sessions.map((v) => {
    const c = byId.get(v.info.id);
    if (!c) return v;
    const i = v.info;
    const most = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));
    return {
      ...v,
      info: {
        ...i,
        received: Math.max(i.received, c.received),
        receivedBytes: Math.max(i.receivedBytes, c.receivedBytes),
        sent: Math.max(i.sent, c.sent),
        sentBytes: Math.max(i.sentBytes, c.sentBytes),
        kernelDropped: most(i.kernelDropped, c.kernelDropped),
        notLogged: Math.max(i.notLogged, c.notLogged),
        timedOutRules: c.timedOutRules.length > i.timedOutRules.length ? c.timedOutRules : i.timedOutRules,
      },
    };
  });
}
