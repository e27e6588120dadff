import type { LogPage, SenderEvent } from '../../../shared/contract/index.ts';
import { limits } from '../../../shared/contract/limits.ts';
import { EventDeque, lowerBound } from '../../../shared/sender/event-deque.ts';

const seqOf = (e: SenderEvent) => e.seq;

/**
 * What a page shows of one session's log: a window of the backend's log (SenderService,
 * session-log.ts), at most the "Keep" setting of entries per column, covering the seqs
 * `firstSeq`..`lastSeq` without a hole. It grows at the new end from the live stream and from
 * `sender.log {after}` (a gap the stream dropped is fetched again, not skipped), at the old end
 * from `sender.log {before}` as the user scrolls back, and is cut at the end farther from the
 * user, so memory stays bounded however long the log. Every function here is pure over the log
 * it is given: it returns a new object and mutates only the deques (their `version` tells React).
 */
export interface SessionLog {
  /** Bytes and messages received in the last full second, for the live rate. */
  rate: { second: number; bytes: number; messages: number; lastBytes: number; lastMessages: number };
  /** Raw reads/writes and lifecycle markers, oldest first (mutated in place; see `version`). */
  chunks: EventDeque<SenderEvent>;
  /** Messages the framing decoded from the incoming stream (with raw framing: every incoming chunk). */
  messages: EventDeque<SenderEvent>;
  /** Bumped once per change of the deques, so components re-render without them being copied. */
  version: number;
  /** Bumped each time the window is replaced by the log's tail (a jump to the newest): the view then follows from the bottom. */
  tailEpoch: number;
  /** Entries kept per column (the "Keep" setting when this log was started or cleared). */
  keep: number;
  /** Raw framing: every incoming chunk is also a message. */
  raw: boolean;
  /** The oldest seq the window covers (the one after `lastSeq` when it is empty). */
  firstSeq: number;
  /** The newest seq the window covers: a later entry with this seq or less is one already shown. */
  lastSeq: number;
  /** The newest seq counted (from the stream or a page): the log's tail as this page knows it. */
  countedSeq: number;
  /** The oldest seq the backend held at the last page read: scrolling back stops there. */
  heldFrom: number;
  /** Entries up to this seq were cleared on purpose (Clear): not counted as lost. */
  clearedUpTo: number;
  /** The window tracks the tail: live entries are appended, a gap is fetched again. Off while the user reads older entries. */
  follow: boolean;
  /** A page being read: older entries (scrolling back) or newer ones (scrolling forward, or a gap). */
  loading: 'older' | 'newer' | null;
  bytesIn: number;
  bytesOut: number;
  messagesIn: number;
  /** What the counters subtract from the backend's (a Clear starts them at zero again). */
  base: { bytesIn: number; bytesOut: number; messagesIn: number };
  /** Entries this view could not show: the stream dropped them and the backend no longer held them. */
  dropped: number;
  startedAt: number;
}

/** How many entries one scroll-back or scroll-forward step reads: small enough that the row being read survives the cut at the far end. */
export function pageSize(keep: number): number {
  return Math.max(1, Math.min(1000, limits.senderLogPage, Math.floor(keep / 4)));
}

export const emptyLog = (keep: number, startedAt = 0, raw = false): SessionLog => ({
  rate: { second: 0, bytes: 0, messages: 0, lastBytes: 0, lastMessages: 0 },
  chunks: new EventDeque(),
  messages: new EventDeque(),
  version: 0,
  tailEpoch: 0,
  keep,
  raw,
  firstSeq: 1,
  lastSeq: 0,
  countedSeq: 0,
  heldFrom: 1,
  clearedUpTo: 0,
  follow: true,
  loading: null,
  bytesIn: 0,
  bytesOut: 0,
  messagesIn: 0,
  base: { bytesIn: 0, bytesOut: 0, messagesIn: 0 },
  dropped: 0,
  startedAt,
});

/** Whether an entry belongs to the messages column (besides decoded messages). */
function isMessage(e: SenderEvent, raw: boolean): boolean {
  if (e.type === 'message') return true;
  // Without framing every incoming chunk is a message of its own.
  if (raw && e.type === 'chunk' && e.dir === 'in') return true;
  // an HTTP server's request, parsed (http-dir): what the raw chunks decoded to
  return e.type === 'notice' && e.code === 'HTTP_REQUEST';
}

function pushEntry(log: SessionLog, e: SenderEvent): void {
  // a hole both columns have
  const both = e.code === 'SENDER_LOG_GONE';
  if (both || e.type !== 'message') log.chunks.push(e);
  if (both || isMessage(e, log.raw)) log.messages.push(e);
}

function unshiftEntry(log: SessionLog, e: SenderEvent): void {
  const both = e.code === 'SENDER_LOG_GONE';
  if (both || e.type !== 'message') log.chunks.unshift(e);
  if (both || isMessage(e, log.raw)) log.messages.unshift(e);
}

/** The marker that stands where entries are missing: `n` seqs after `after` the backend no longer holds. */
function goneMarker(sessionId: string, after: number, n: number, at: number): SenderEvent {
  return {
    sessionId,
    seq: after + 1,
    type: 'notice',
    dir: null,
    at,
    peer: null,
    length: 0,
    hex: '',
    text: '',
    truncated: false,
    code: 'SENDER_LOG_GONE',
    // the page may have fallen behind, or been scrolled back, when the backend let them go: its budget or a Clear
    message: `${n} entries are missing here: the log let them go before this page read them`,
    params: { n },
  };
}

/** Cuts the oldest entries until both columns fit `keep` (the live stream while following). */
function trimOld(log: SessionLog): void {
  const { chunks, messages, keep } = log;
  while (chunks.length > keep || messages.length > keep) {
    const col = chunks.length > keep ? chunks : messages;
    // both columns are sorted by seq: everything before the cut goes from each, in one call
    const cut = col.at(col.length - keep - 1)!.seq + 1;
    chunks.dropFirst(lowerBound(chunks, cut, seqOf));
    messages.dropFirst(lowerBound(messages, cut, seqOf));
    log.firstSeq = cut;
  }
}

/** Cuts the newest entries until both columns fit (scrolling back); true when anything was cut, so the window left the tail. */
function trimNew(log: SessionLog): boolean {
  const { chunks, messages, keep } = log;
  let cut = false;
  while (chunks.length > keep || messages.length > keep) {
    const col = chunks.length > keep ? chunks : messages;
    const end = col.at(keep)!.seq - 1;
    chunks.dropLast(chunks.length - lowerBound(chunks, end + 1, seqOf));
    messages.dropLast(messages.length - lowerBound(messages, end + 1, seqOf));
    log.lastSeq = end;
    cut = true;
  }
  return cut;
}

/** The counters as the backend had them when `page` was read, minus what a Clear set aside. */
function countersFrom(log: SessionLog, page: LogPage): Pick<SessionLog, 'bytesIn' | 'bytesOut' | 'messagesIn' | 'countedSeq'> {
  return {
    bytesIn: page.session.receivedBytes - log.base.bytesIn,
    bytesOut: page.session.sentBytes - log.base.bytesOut,
    messagesIn: page.session.messagesIn - log.base.messagesIn,
    countedSeq: page.lastSeq,
  };
}

/**
 * A session's view from the tail of its log: the entries and the counters as the backend had
 * them at that same instant, so events after `lastSeq` add to them exactly once.
 */
export function logFromPage(page: LogPage, keep: number): SessionLog {
  const log = emptyLog(keep, page.session.openedAt, page.session.framing.kind === 'raw');
  return { ...log, ...tailInto(log, page), version: 1 };
}

/** `log`'s window replaced by `page` (the log's tail), following the tail again. */
function tailInto(log: SessionLog, page: LogPage): SessionLog {
  const next: SessionLog = {
    ...log,
    chunks: new EventDeque(),
    messages: new EventDeque(),
    version: log.version + 1,
    tailEpoch: log.tailEpoch + 1,
    follow: true,
    loading: null,
  };
  for (const e of page.entries) pushEntry(next, e);
  next.lastSeq = page.lastSeq;
  next.firstSeq = page.entries[0]?.seq ?? page.lastSeq + 1;
  next.heldFrom = page.firstSeq;
  trimOld(next);
  return { ...next, ...countersFrom(log, page) };
}

/** Jump to the newest entries: the window becomes the tail page (what the older part held can be scrolled back to). */
export const applyTail = (log: SessionLog, page: LogPage): SessionLog => tailInto(log, page);

/** The page of `sender.log {before: log.firstSeq}`: older entries in front; the newest cut when over Keep (the window then leaves the tail). */
export function applyOlder(log: SessionLog, page: LogPage): SessionLog {
  const next: SessionLog = { ...log, loading: null, heldFrom: page.firstSeq, version: log.version + 1 };
  const older = page.entries.filter((e) => e.seq < log.firstSeq);
  for (let i = older.length - 1; i >= 0; i--) unshiftEntry(next, older[i]!);
  if (older.length) next.firstSeq = older[0]!.seq;
  if (trimNew(next)) next.follow = false;
  return next;
}

/**
 * The page of `sender.log {after: log.lastSeq}`: newer entries at the end, a marker with how many
 * where the backend no longer held some, the oldest cut when over Keep. When the page reaches
 * the log's tail the window follows it again, with the backend's exact counters.
 */
export function applyNewer(log: SessionLog, page: LogPage, sessionId: string): SessionLog {
  const next: SessionLog = { ...log, loading: null, heldFrom: page.firstSeq, version: log.version + 1 };
  const newer = page.entries.filter((e) => e.seq > log.lastSeq);
  const at = newer[0]?.at ?? log.messages.last()?.at ?? log.chunks.last()?.at ?? next.startedAt;
  // The backend gives seqs without a hole from its oldest held entry: a jump is what it let go.
  const firstNew = newer[0]?.seq ?? Math.max(page.lastSeq, log.countedSeq) + 1;
  if (firstNew > next.lastSeq + 1) {
    const n = firstNew - next.lastSeq - 1;
    pushEntry(next, goneMarker(sessionId, next.lastSeq, n, at));
    next.dropped += n;
    next.lastSeq = firstNew - 1;
  }
  for (const e of newer) {
    pushEntry(next, e);
    next.lastSeq = e.seq;
  }
  trimOld(next);
  if (next.lastSeq >= page.lastSeq) {
    next.follow = true;
    if (page.lastSeq >= log.countedSeq) Object.assign(next, countersFrom(log, page));
  }
  return next;
}

/** Whether the window holds the oldest entry the backend had at the last read (scrolling back has nothing more to read). */
export const atStart = (log: SessionLog): boolean => log.firstSeq <= log.heldFrom;

/**
 * Entries before the window's start that the backend let go (its log budget), a Clear's not
 * counted. Only what lies before the oldest entry the window still shows: a window that holds
 * 1..20, a gap marker and 51..60 after the backend let 11..50 go has lost nothing above #1 (the
 * marker in the middle says what went there).
 */
export const goneBeforeStart = (log: SessionLog): number => Math.max(0, Math.min(log.heldFrom, log.firstSeq) - 1 - log.clearedUpTo);

/** Whether the window shows the log's newest entry (the view then follows it). */
export const atTail = (log: SessionLog): boolean => log.follow && log.lastSeq >= log.countedSeq;

/**
 * What to read so a following window has no hole after a gap in the stream: the entries after
 * its end, or, when more than a window's worth is missing, the tail itself (what lies between
 * is still there to scroll back to). Null when there is nothing to read.
 */
export function catchUpQuery(log: SessionLog): { after: number; limit: number } | { limit: number } | null {
  if (!log.follow || log.loading || log.lastSeq >= log.countedSeq) return null;
  const limit = Math.min(log.keep, limits.senderLogPage);
  return log.countedSeq - log.lastSeq > limit ? { limit } : { after: log.lastSeq, limit };
}

/** The live stream's entries for one session (seq above what was counted), appended while the window follows without a gap. */
export function appendLive(log: SessionLog, fresh: SenderEvent[]): void {
  let last = log.lastSeq;
  let counted = log.countedSeq;
  for (const e of fresh) {
    if (log.follow && last === counted && e.seq === last + 1) {
      pushEntry(log, e);
      last = e.seq;
    }
    // else: past a gap, or while the user reads older entries: counted, read again with `after` later
    if (e.seq > counted) counted = e.seq;
  }
  log.lastSeq = last;
  log.countedSeq = counted;
  trimOld(log);
}
