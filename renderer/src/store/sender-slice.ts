import type { StateCreator } from 'zustand/vanilla';
import type { CommandInput, EventBatch, PayloadSpec, SenderEvent, SessionInfo } from '../../../shared/contract/index.ts';
import { checkHost, checkPort, checkWhole, parseBind } from '../../../shared/sender/endpoint.ts';
import { checked, errorOf, isError, type SenderError } from './sender-errors.ts';
import { limits } from '../../../shared/contract/limits.ts';
import type { ReplyRule } from '../../../shared/sender/reply-rules.ts';
import { framingByName, type Framing, type FramingName } from '../../../shared/sender/framing.ts';
import { parseHeaderFields, type HeaderFields } from '../../../shared/sender/header-fields.ts';
import { framingOf, type CustomFraming } from '../../../shared/sender/framing-form.ts';
import type { ContractClient } from '../client/contract-client.ts';
import { applyCounters, emptyLog, logFromPage, reduceSenderEvents, viewOf, type SessionLog, type SessionView } from './sender-events.ts';
import { applyNewer, applyOlder, applyTail, atStart, catchUpQuery, pageSize } from './log-window.ts';

export type { ClientView, SessionLog, SessionView } from './sender-events.ts';
export type { CustomFraming } from '../../../shared/sender/framing-form.ts';
export type { SenderError } from './sender-errors.ts';

/** The composer's extra header fields for a session whose outgoing framing is header-json (else none), or why they cannot be sent. */
function headerFields(view: SessionView, text: string): { fields?: HeaderFields } | SenderError {
  if (view.framingOut.kind !== 'header-json' || !text.trim()) return {};
  const fields = checked(() => parseHeaderFields(text, 'header'));
  return isError(fields) ? fields : { fields };
}
export type { GeneratorForm } from './generator-slice.ts';

type OpenSession = CommandInput<'sender.open'>;

export interface NewSessionForm {
  kind: OpenSession['kind'];
  host: string;
  port: string;
  framing: FramingName | 'custom';
  custom: CustomFraming;
  encoding: 'utf8' | 'gbk';
  reply: 'none' | 'echo' | 'fixed' | 'rules' | 'serve-dir' | 'relay' | 'http-dir';
  /** The folder serve-dir and http-dir serve (a path on the host's disk). */
  dir: string;
  /** TCP server: challenge each client (client authentication); TCP client: answer the server's challenge. */
  challengeAlgo: 'none' | 'md5' | 'hmac-sha256';
  challengeKey: string;
  /** Escapes allowed (\\r\\n, \\xHH): turned into bytes by the backend, as the fixed reply is. */
  replyText: string;
  /** Sent raw to each client on connect (TCP server), escapes allowed. */
  greet: string;
  rules: ReplyRule[];
  /** TCP client: give up connecting after this many ms. */
  timeoutMs: string;
  /** 'same': `framing` both ways; 'split': `framingIn` cuts what arrives, `framingOut` wraps what goes (the remote-command server). */
  direction?: 'same' | 'split';
  framingIn?: FramingName;
  framingOut?: FramingName;
  /** The size field of a header-json preset, either way (the FTP homework's is filesize). */
  sizeKey?: string;
  /** A folder on the host: each decoded body is streamed there. */
  saveDir?: string;
  overwrite?: boolean;
  /** TCP client: the local [HOST:]PORT to connect from (empty: the kernel chooses). */
  bind?: string;
  /** UDP: SO_BROADCAST from the start. */
  broadcast?: boolean;
}

export interface Composer {
  mode: PayloadSpec['mode'];
  text: string;
  encoding: 'utf8' | 'gbk';
  lineEnding: PayloadSpec['lineEnding'];
  repeatMs: string;
  repeatCount: string;
  /** File mode: the chosen file's name; its bytes travel base64-encoded in `text`. */
  fileName: string;
  fileText: string;
  /** header-json out: extra header fields as JSON text ('' for none); the size key is computed. */
  headerText: string;
  /** A file on the host to stream as one message (sender.sendFile), any size. */
  hostPath: string;
}

/**
 * What became of a page the view asked for: applied; refused (the window moved meanwhile, so it
 * belonged to none: asking again is right); failed (the backend said no: asking again at once
 * would loop); skipped (another page was being read, or there is nothing to read).
 */
export type PageOutcome = 'applied' | 'refused' | 'failed' | 'skipped';

export interface SenderSlice {
  sender: {
    /** The backend's sessions as this page shows them (view state: the backend owns them). */
    sessions: SessionView[];
    active: string | null;
    logs: Record<string, SessionLog>;
    /** The "Open sessions" list is unfolded. */
    sessionsOpen: boolean;
    form: NewSessionForm;
    composer: Composer;
    opening: boolean;
    /** Sessions with a repeat running (cleared by the service's repeat-end event). */
    repeating: Record<string, boolean>;
    formError: SenderError | null;
    sendError: SenderError | null;
  };
  setSenderForm(patch: Partial<NewSessionForm>): void;
  setComposer(patch: Partial<Composer>): void;
  setActiveSession(id: string): void;
  setDestination(id: string, host: string, port: string): void;
  setSendTo(id: string, peer: string): void;
  openSession(): Promise<void>;
  /** A local echo server and a client connected to it, for a first experiment. */
  openPlayground(): Promise<void>;
  sendComposer(): Promise<void>;
  /** Streams the composer's host file (any size) as one message of the outgoing framing. */
  sendHostFile(): Promise<void>;
  /** Starts repeating the composer's payload, or stops a running repeat. */
  toggleRepeat(): Promise<void>;
  halfCloseSession(id: string): Promise<void>;
  /** A TCP client closes and connects again to the same address; false (with sendError) when it could not. */
  reconnectSession(id: string): Promise<boolean>;
  /** Closes the session in the backend (its port is free when this returns); every window drops its tab. */
  closeSession(id: string): Promise<void>;
  /** Close all: every session in the backend, whichever window opened it. */
  closeAllSessions(): Promise<void>;
  /** Reads the backend's sessions: a tab and the tail of its log for each one this page does not show yet. */
  syncSessions(): Promise<void>;
  setSessionsOpen(open: boolean): void;
  /** The session's whole log as a file, built by the backend from its full bytes. */
  exportLog(id: string, format: 'text' | 'json' | 'pcap'): Promise<{ name: string; mime: string; data: string | Uint8Array } | null>;
  clearLog(id: string): Promise<void>;
  /** Scrolling back: reads the entries before the window (`sender.log {before}`); the newest go when over Keep. */
  loadOlderEntries(id: string): Promise<PageOutcome>;
  /** Scrolling forward past the window: reads the entries after it (`sender.log {after}`); at the tail the view follows it again. */
  loadNewerEntries(id: string): Promise<PageOutcome>;
  /** The user scrolled up from the tail: live entries are counted but no longer put into the window (so what they read stays). */
  pauseFollow(id: string): void;
  /** Back to the newest entries and following them (the window becomes the log's tail). */
  jumpToNewest(id: string): Promise<void>;
  applySenderEvents(batch: EventBatch<'sender.event'>): void;
  /** The host's exact counters (`sender.counters`), about once a second while they move. */
  applySenderCounters(batch: EventBatch<'sender.counters'>): void;
}

export function createSenderSlice<T extends SenderSlice & { settings: { senderLogCapacity: number } }>(
  client: ContractClient,
): StateCreator<T, [], [], SenderSlice> {
  return (set, get) => {
    /** The log size from the settings (applies to logs started or cleared from now on). */
    const capacity = () => get().settings.senderLogCapacity;
    const patch = (p: Partial<SenderSlice['sender']>) => set({ sender: { ...get().sender, ...p } } as Partial<T>);

    /** Events of sessions this page has no log for yet, held until their log page arrives. */
    const early = new Map<string, SenderEvent[]>();
    /** One sync at a time; a request during one runs once more after it. */
    let syncing: Promise<void> | null = null;
    let again = false;

    async function syncOnce(): Promise<void> {
      const r = await client.invoke('sender.list', {});
      if (!r.ok) return;
      const ids = new Set(r.value.map((x) => x.id));
      for (const summary of r.value) {
        if (get().sender.logs[summary.id]) continue;
        // The tail the ring holds; what the stream brought meanwhile is stitched on by seq.
        const page = await client.invoke('sender.log', { sessionId: summary.id, limit: Math.min(capacity(), limits.senderLogPage) });
        if (!page.ok) continue; // closed meanwhile
        const s = get().sender;
        if (s.logs[summary.id]) continue;
        const log = logFromPage(page.value, capacity());
        const view = { ...viewOf(page.value.session), ...(s.sessions.find((v) => v.info.id === summary.id) ?? {}) };
        const next = {
          sessions: [...s.sessions.filter((v) => v.info.id !== summary.id), view],
          logs: { ...s.logs, [summary.id]: log },
          repeating: page.value.session.repeating ? { ...s.repeating, [summary.id]: true } : s.repeating,
        };
        const held = early.get(summary.id) ?? [];
        early.delete(summary.id);
        const folded = held.length ? reduceSenderEvents(next, held, Date.now()).view : next;
        patch({ ...folded, active: s.active ?? summary.id });
      }
      // The counters of the sessions already shown, as the host has them now: the counters stream
      // sends only what moves, so what moved while this page was away is read here.
      const counted = applyCounters(get().sender.sessions, { at: Date.now(), sessions: r.value });
      if (counted !== get().sender.sessions) patch({ sessions: counted });
      // Sessions closed while this page was away (or by another window) lose their tab.
      const s = get().sender;
      const gone = s.sessions.filter((v) => !ids.has(v.info.id)).map((v) => v.info.id);
      if (gone.length) dropTabs(gone);
      for (const id of early.keys()) if (!ids.has(id)) early.delete(id);
    }

    function setLog(id: string, log: SessionLog): void {
      const s = get().sender;
      if (s.logs[id]) patch({ logs: { ...s.logs, [id]: log } });
    }

    /** Sessions whose window is reading what the stream dropped (one loop each). */
    const catching = new Set<string>();
    /**
     * Who set a session's `loading` last: a reply clears the flag only while it is still its own,
     * so a stale one (its window was cleared or replaced meanwhile) leaves another request's alone.
     */
    const loadingOwner = new Map<string, number>();
    let requests = 0;
    function startLoading(id: string, log: SessionLog, kind: 'older' | 'newer'): number {
      const n = ++requests;
      loadingOwner.set(id, n);
      setLog(id, { ...log, loading: kind });
      return n;
    }
    /** `next` with the loading flag request `n` set cleared, or (another request owns it now) as `now` has it. */
    function endLoading(id: string, n: number, now: SessionLog, next: SessionLog): SessionLog {
      if (loadingOwner.get(id) !== n) return { ...next, loading: now.loading };
      loadingOwner.delete(id);
      return { ...next, loading: null };
    }

    /**
     * One page of the log either side of the window: older (`{before}` its first entry) or newer
     * (`{after}` its last). Refused when a Clear or a jump made another window meanwhile (the view
     * may ask again); failed (e.g. NO_SUCH_SESSION before session-closed arrives) and the view does
     * not ask again by itself.
     */
    async function loadPage(id: string, kind: 'older' | 'newer'): Promise<PageOutcome> {
      const log = get().sender.logs[id];
      if (!log || log.loading || (kind === 'older' ? atStart(log) : log.follow)) return 'skipped';
      const mine = startLoading(id, log, kind);
      const where = kind === 'older' ? { before: log.firstSeq } : { after: log.lastSeq };
      const r = await client.invoke('sender.log', { sessionId: id, ...where, limit: pageSize(log.keep) });
      const now = get().sender.logs[id];
      if (!now) return 'failed';
      const moved = kind === 'older' ? now.firstSeq !== log.firstSeq : now.lastSeq !== log.lastSeq;
      const outcome = !r.ok ? 'failed' : moved || now.clearedUpTo !== log.clearedUpTo ? 'refused' : 'applied';
      if (!r.ok || outcome !== 'applied') {
        setLog(id, endLoading(id, mine, now, now));
        return outcome;
      }
      setLog(id, endLoading(id, mine, now, kind === 'older' ? applyOlder(now, r.value) : applyNewer(now, r.value, id)));
      // a gap that came while this page was read is read now
      void catchUp(id);
      return 'applied';
    }

    /**
     * Back-off under a flood: a catch-up read's reply shares the socket's delivery window with the
     * stream, so reading while the stream still drops makes it drop more. While the latest batch
     * reports drops no catch-up starts; a clean batch (or a second without any) starts them.
     */
    let streamDropping = false;
    let quietTimer: ReturnType<typeof setTimeout> | null = null;
    /** When each session's last catch-up tail read started: at most one a second (each one also moves the view to the bottom). */
    const lastTailRead = new Map<string, number>();
    const tailTimers = new Map<string, ReturnType<typeof setTimeout>>();
    const tailReadGapMs = 1000;
    /** How long a stream that reported drops must stay quiet before the gap is read anyway (no clean batch may follow the flood's last). */
    const quietMs = 1000;
    function catchUpAll(): void {
      const logs = get().sender.logs;
      for (const id of Object.keys(logs)) if (catchUpQuery(logs[id]!)) void catchUp(id);
    }

    /**
     * Reads what a following window misses after a gap in the stream, page by page, until it
     * reaches the tail (bounded: a flood that outruns the reads leaves it to the next batch).
     */
    async function catchUp(id: string): Promise<void> {
      if (catching.has(id) || streamDropping) return;
      catching.add(id);
      try {
        for (let i = 0; i < 20; i++) {
          const log = get().sender.logs[id];
          const q = log && catchUpQuery(log);
          if (!log || !q || streamDropping) return;
          if (!('after' in q)) {
            const wait = (lastTailRead.get(id) ?? -Infinity) + tailReadGapMs - Date.now();
            if (wait > 0) {
              if (!tailTimers.has(id))
                tailTimers.set(
                  id,
                  setTimeout(() => {
                    tailTimers.delete(id);
                    void catchUp(id);
                  }, wait),
                );
              return;
            }
            lastTailRead.set(id, Date.now());
          }
          const mine = startLoading(id, log, 'newer');
          const r = await client.invoke('sender.log', { sessionId: id, ...q });
          const now = get().sender.logs[id];
          if (!now) return;
          // The user scrolled up meanwhile: a tail page would replace what they read (and pull the
          // view down), an `after` page could cut the row they read; scrolling down reads it later.
          if (!r.ok || !now.follow) return setLog(id, endLoading(id, mine, now, now));
          if (now.lastSeq !== log.lastSeq || now.clearedUpTo !== log.clearedUpTo) {
            setLog(id, endLoading(id, mine, now, now));
            continue;
          }
          setLog(id, endLoading(id, mine, now, 'after' in q ? applyNewer(now, r.value, id) : applyTail(now, r.value)));
        }
      } finally {
        catching.delete(id);
      }
    }

    function dropTabs(ids: string[]): void {
      const s = get().sender;
      const sessions = s.sessions.filter((v) => !ids.includes(v.info.id));
      const logs = { ...s.logs };
      const repeating = { ...s.repeating };
      for (const id of ids) {
        delete logs[id];
        delete repeating[id];
      }
      patch({ sessions, logs, repeating, active: s.active && ids.includes(s.active) ? (sessions.at(-1)?.info.id ?? null) : s.active });
    }

    function sync(): Promise<void> {
      if (syncing) {
        again = true;
        return syncing;
      }
      syncing = (async () => {
        try {
          do {
            again = false;
            await syncOnce();
          } while (again);
        } finally {
          syncing = null;
        }
      })();
      return syncing;
    }

    async function open(form: NewSessionForm): Promise<SessionInfo | null> {
      // The checks the CLI and the dispatcher use (shared/sender/endpoint.ts), with their codes.
      const host = checked(() => checkHost(form.host));
      const port = checked(() => checkPort(form.port, 'port', form.kind !== 'tcp-client'));
      const keyed = (f: Framing): Framing =>
        f.kind === 'header-json' && (form.framing !== 'custom' || form.direction === 'split') && form.sizeKey?.trim()
          ? { kind: 'header-json', sizeKey: form.sizeKey.trim() }
          : f;
      // split: the two presets decide; `framing` (the contract's default for both) is the incoming one
      const framing = form.direction === 'split' ? framingByName(form.framingIn ?? 'raw') : framingOf(form);
      const timeout = form.kind === 'tcp-client' ? checked(() => checkWhole(form.timeoutMs, 'timeout', 100, 120_000)) : 0;
      const bind = form.kind === 'tcp-client' && form.bind?.trim() ? checked(() => parseBind(form.bind!, 'bind')) : null;
      const problem = [host, port, 'code' in framing ? framing : null, timeout, bind].find(isError);
      if (problem) {
        patch({ formError: problem });
        return null;
      }
      const main = keyed(framing as Framing);
      const split = form.direction === 'split';
      const directions = split
        ? {
            framingIn: form.framingIn ? keyed(framingByName(form.framingIn)) : main,
            framingOut: form.framingOut ? keyed(framingByName(form.framingOut)) : main,
          }
        : {};
      const save = form.saveDir?.trim() ? { saveDir: form.saveDir.trim() } : {};
      const base = {
        host: host as string,
        port: port as number,
        framing: main,
        encoding: form.encoding,
        ...directions,
        ...save,
        overwrite: form.overwrite ?? false,
      };
      // the key is checked by the contract's schema (challengeSpecSchema), its error names the field
      const challenge = form.challengeAlgo === 'none' ? undefined : { algo: form.challengeAlgo, key: form.challengeKey };
      const dir = form.kind !== 'tcp-client' && (form.reply === 'serve-dir' || form.reply === 'http-dir') ? { dir: form.dir } : {};
      const spec: OpenSession =
        form.kind === 'tcp-client'
          ? {
              kind: 'tcp-client',
              ...base,
              timeoutMs: timeout as number,
              ...(bind ? { bind: bind as { host?: string; port: number } } : {}),
              ...(challenge ? { answer: challenge } : {}),
            }
          : {
              kind: form.kind,
              ...base,
              reply: form.reply,
              replyText: form.replyText,
              rules: form.rules,
              greet: form.kind === 'tcp-server' ? form.greet : '',
              ...dir,
              ...(challenge && form.kind === 'tcp-server' ? { challenge } : {}),
            };
      const r = await client.invoke('sender.open', spec);
      if (!r.ok) {
        patch({ formError: errorOf(r.error) });
        return null;
      }
      patch({ formError: null });
      if (form.kind === 'udp' && form.broadcast) await client.invoke('sender.udpOptions', { sessionId: r.value.id, broadcast: true });
      // The tab comes from the backend's list like every other (this window's or another's).
      await sync();
      const id = r.value.id;
      // This window names the framing as the user chose it (a custom rule that equals a preset stays "custom").
      if (get().sender.sessions.some((v) => v.info.id === id))
        patch({ active: id, sessions: get().sender.sessions.map((v) => (v.info.id === id ? { ...v, framing: form.framing } : v)) });
      return r.value;
    }

    /** The send request for the active session from the composer, or null (with the error shown). */
    function request() {
      const s = get().sender;
      const view = s.sessions.find((x) => x.info.id === s.active);
      if (!view) return null;
      const c = s.composer;
      if (c.mode === 'file' && !c.fileName) {
        patch({ sendError: { field: 'payload', message: 'file: choose a file to send', code: 'FILE_NOT_CHOSEN', params: { field: 'file' } } });
        return null;
      }
      const header = headerFields(view, c.headerText);
      if (isError(header)) {
        patch({ sendError: header });
        return null;
      }
      const payload = {
        mode: c.mode,
        text: c.mode === 'file' ? c.fileText : c.text,
        encoding: c.encoding,
        lineEnding: c.mode === 'file' ? ('none' as const) : c.lineEnding,
        ...(header.fields ? { header: header.fields } : {}),
      };
      if (view.info.kind === 'tcp-server' && view.sendTo) return { sessionId: view.info.id, payload, clientPeer: view.sendTo };
      if (view.info.kind !== 'udp') return { sessionId: view.info.id, payload };
      const port = checked(() => checkPort(view.destPort));
      if (isError(port)) {
        patch({ sendError: port });
        return null;
      }
      return { sessionId: view.info.id, payload, host: view.destHost, port };
    }

    return {
      sender: {
        sessions: [],
        active: null,
        logs: {},
        sessionsOpen: false,
        form: {
          kind: 'tcp-client',
          host: '127.0.0.1',
          port: '',
          framing: 'raw',
          custom: { kind: 'delimiter', delimiter: '\\r\\n', size: '64', bytes: '2', endian: 'be', includesPrefix: false, sizeKey: 'data_size' },
          encoding: 'utf8',
          reply: 'none',
          replyText: 'OK',
          greet: '',
          dir: '',
          challengeAlgo: 'none',
          challengeKey: '',
          rules: [{ match: 'regex', pattern: '^GET /(\\S*)', reply: 'you asked for $1' }],
          timeoutMs: '5000',
          direction: 'same',
          framingIn: 'raw',
          framingOut: 'header-json',
          sizeKey: 'data_size',
          saveDir: '',
          overwrite: false,
          bind: '',
          broadcast: false,
        },
        composer: {
          mode: 'text',
          text: '你好',
          encoding: 'utf8',
          lineEnding: 'none',
          repeatMs: '1000',
          repeatCount: '10',
          fileName: '',
          fileText: '',
          headerText: '',
          hostPath: '',
        },
        opening: false,
        repeating: {},
        formError: null,
        sendError: null,
      },
      setSenderForm(p) {
        patch({ form: { ...get().sender.form, ...p }, formError: null });
      },
      setComposer(p) {
        patch({ composer: { ...get().sender.composer, ...p }, sendError: null });
      },
      setActiveSession(id) {
        patch({ active: id, sendError: null });
      },
      setSendTo(id, peer) {
        patch({ sessions: get().sender.sessions.map((s) => (s.info.id === id ? { ...s, sendTo: peer } : s)) });
      },
      setDestination(id, host, port) {
        patch({ sessions: get().sender.sessions.map((s) => (s.info.id === id ? { ...s, destHost: host, destPort: port } : s)) });
      },
      async openSession() {
        patch({ opening: true });
        try {
          await open(get().sender.form);
        } finally {
          patch({ opening: false });
        }
      },
      async openPlayground() {
        patch({ opening: true });
        try {
          // the form's framing and encoding, one way for both directions; nothing else of the form
          const { framing, encoding, custom, sizeKey } = get().sender.form;
          const plain = {
            host: '127.0.0.1',
            framing,
            custom,
            encoding,
            sizeKey,
            replyText: '',
            rules: [],
            greet: '',
            dir: '',
            challengeAlgo: 'none' as const,
            challengeKey: '',
            timeoutMs: '5000',
          };
          const server = await open({ ...plain, kind: 'tcp-server', port: '0', reply: 'echo' });
          if (!server) return;
          const port = server.local.split(':').at(-1) ?? '0';
          await open({ ...plain, kind: 'tcp-client', port, reply: 'none' });
        } finally {
          patch({ opening: false });
        }
      },
      async sendHostFile() {
        const s = get().sender;
        const view = s.sessions.find((x) => x.info.id === s.active);
        if (!view) return;
        const path = s.composer.hostPath.trim();
        if (!path)
          return patch({
            sendError: { field: 'hostPath', message: 'file: type the path of a file on the host', code: 'FILE_NOT_CHOSEN', params: { field: 'file' } },
          });
        const header = headerFields(view, s.composer.headerText);
        if (isError(header)) return patch({ sendError: header });
        const r = await client.invoke('sender.sendFile', {
          sessionId: view.info.id,
          path,
          ...(header.fields ? { header: header.fields } : {}),
          ...(view.info.kind === 'tcp-server' && view.sendTo ? { clientPeer: view.sendTo } : {}),
        });
        patch({ sendError: r.ok ? null : { ...errorOf(r.error), field: r.error.field === 'file' ? 'hostPath' : (r.error.field ?? null) } });
      },
      async sendComposer() {
        const req = request();
        if (!req) return;
        const r = await client.invoke('sender.send', req);
        patch({ sendError: r.ok ? null : errorOf(r.error) });
      },
      async toggleRepeat() {
        const s = get().sender;
        if (s.active && s.repeating[s.active]) {
          await client.invoke('sender.stopRepeat', { sessionId: s.active });
          return;
        }
        const req = request();
        if (!req) return;
        // the bounds repeatInputSchema holds to; 0 times = until stopped
        const ms = checked(() => checkWhole(s.composer.repeatMs, 'intervalMs', 1, 3_600_000));
        const n = checked(() => checkWhole(s.composer.repeatCount, 'count', 0, 100_000_000));
        const problem = [ms, n].find(isError);
        if (problem) return patch({ sendError: problem });
        const r = await client.invoke('sender.repeat', { ...req, intervalMs: ms as number, count: n as number });
        if (r.ok) patch({ repeating: { ...get().sender.repeating, [req.sessionId]: true }, sendError: null });
        else patch({ sendError: errorOf(r.error) });
      },
      async halfCloseSession(id) {
        const r = await client.invoke('sender.halfClose', { sessionId: id });
        if (r.ok) patch({ sessions: get().sender.sessions.map((s) => (s.info.id === id ? { ...s, info: r.value } : s)) });
        else patch({ sendError: { ...errorOf(r.error), field: null } });
      },
      async reconnectSession(id) {
        const r = await client.invoke('sender.reconnect', { sessionId: id });
        if (r.ok) patch({ sessions: get().sender.sessions.map((s) => (s.info.id === id ? { ...s, info: r.value } : s)), sendError: null });
        else patch({ sendError: { ...errorOf(r.error), field: null } });
        return r.ok;
      },
      async closeSession(id) {
        await client.invoke('sender.close', { sessionId: id });
        dropTabs([id]);
      },
      async closeAllSessions() {
        await client.invoke('sender.closeAll', {});
        dropTabs(get().sender.sessions.map((v) => v.info.id));
      },
      syncSessions: sync,
      setSessionsOpen(open) {
        patch({ sessionsOpen: open });
      },
      async exportLog(id, format) {
        const r = await client.invoke('sender.export', { sessionId: id, format });
        if (!r.ok) {
          patch({ sendError: { ...errorOf(r.error), field: null } });
          return null;
        }
        const data = r.value.base64 ? Uint8Array.from(atob(r.value.data), (c) => c.charCodeAt(0)) : r.value.data;
        return { name: r.value.name, mime: r.value.mime, data };
      },
      async clearLog(id) {
        const r = await client.invoke('sender.clearLog', { sessionId: id });
        const log = get().sender.logs[id];
        if (!log) return;
        // Entries up to the cleared seq never come back, even from a late batch or a page.
        const cleared = Math.max(log.lastSeq, log.countedSeq, r.ok ? r.value.cleared : 0);
        const base = { bytesIn: log.base.bytesIn + log.bytesIn, bytesOut: log.base.bytesOut + log.bytesOut, messagesIn: log.base.messagesIn + log.messagesIn };
        const fresh = emptyLog(capacity(), log.startedAt, log.raw);
        setLog(id, {
          ...fresh,
          base,
          firstSeq: cleared + 1,
          lastSeq: cleared,
          countedSeq: cleared,
          heldFrom: cleared + 1,
          clearedUpTo: cleared,
          version: log.version + 1,
        });
      },
      loadOlderEntries: (id) => loadPage(id, 'older'),
      loadNewerEntries: (id) => loadPage(id, 'newer'),
      pauseFollow(id) {
        const log = get().sender.logs[id];
        if (log?.follow) setLog(id, { ...log, follow: false, version: log.version + 1 });
      },
      async jumpToNewest(id) {
        const log = get().sender.logs[id];
        if (!log) return;
        const r = await client.invoke('sender.log', { sessionId: id, limit: Math.min(log.keep, limits.senderLogPage) });
        const now = get().sender.logs[id];
        if (!r.ok || !now || now.clearedUpTo !== log.clearedUpTo) return;
        // a page still being read keeps its flag: its reply (refused, the window moved) clears it
        setLog(id, { ...applyTail(now, r.value), loading: now.loading });
        void catchUp(id);
      },
      applySenderCounters(batch) {
        let sessions = get().sender.sessions;
        for (const c of batch.events) sessions = applyCounters(sessions, c);
        if (sessions !== get().sender.sessions) patch({ sessions });
        // Counters the stream dropped are read again (the backend also repeats them every 5 s).
        if (batch.dropped > 0) void get().syncSessions();
      },
      applySenderEvents(batch) {
        // One store update per batch, however many events it carries.
        const s = get().sender;
        const { view, unknown } = reduceSenderEvents({ sessions: s.sessions, logs: s.logs, repeating: s.repeating }, batch.events, Date.now());
        const active = s.active && !view.sessions.some((v) => v.info.id === s.active) ? (view.sessions.at(-1)?.info.id ?? null) : s.active;
        patch({ ...view, active });
        // A gap the stream dropped (a stalled page) is read again rather than left as a hole, once
        // the stream is clean again (or quiet for a second): see catchUp's back-off.
        streamDropping = batch.dropped > 0;
        if (quietTimer) clearTimeout(quietTimer);
        quietTimer = null;
        if (!streamDropping) catchUpAll();
        else
          quietTimer = setTimeout(() => {
            quietTimer = null;
            streamDropping = false;
            catchUpAll();
          }, quietMs);
        if (unknown.length) {
          // A session opened by another window (or by this one, before its open returned).
          for (const e of unknown) {
            const list = early.get(e.sessionId) ?? [];
            list.push(e);
            early.set(e.sessionId, list);
          }
          void sync();
        }
      },
    };
  };
}
