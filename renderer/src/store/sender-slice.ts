import type { StateCreator } from 'zustand/vanilla';
import type { CommandInput, EventBatch, GeneratorProgress, PayloadSpec, SavedPacket, SenderEvent, SessionInfo, WirelabErrorData } from '../../../shared/contract/index.ts';
import type { ReplyRule } from '../../../shared/sender/reply-rules.ts';
import { EventRing } from '../../../shared/sender/event-ring.ts';
import { describeFraming, framingByName, type Framing, type FramingName } from '../../../shared/sender/framing.ts';
import { parseEscaped, utf8Encode } from '../../../shared/sender/payload.ts';
import type { ContractClient } from '../client/contract-client.ts';


export interface SessionLog {
  /** Bytes and messages received in the last full second, for the live rate. */
  rate: { second: number; bytes: number; messages: number; lastBytes: number; lastMessages: number };
  /** Raw reads/writes and lifecycle markers, in arrival order (mutated in place; see `version`). */
  chunks: EventRing<SenderEvent>;
  /** Messages the framing decoded from the incoming stream (with raw framing: every incoming chunk). */
  messages: EventRing<SenderEvent>;
  /** Bumped once per applied batch, so components re-render without the rings being copied. */
  version: number;
  bytesIn: number;
  bytesOut: number;
  messagesIn: number;
  dropped: number;
  startedAt: number;
}

export interface SessionView {
  info: SessionInfo;
  /** The preset chosen, or 'custom'; `framingLabel` describes the rule actually in force. */
  framing: FramingName | 'custom';
  framingLabel: string;
  /** UDP sessions remember where the user sends to. */
  destHost: string;
  destPort: string;
  /** TCP server: connected clients (from client-open/close events) and who a send goes to ('' = all). */
  clients: ClientView[];
  sendTo: string;
}

type OpenSession = CommandInput<'sender.open'>;

export interface CustomFraming {
  kind: 'delimiter' | 'fixed' | 'length' | 'header-json';
  /** With escapes: \\r\\n, \\0, \\x03 … */
  delimiter: string;
  size: string;
  bytes: '1' | '2' | '4' | '8';
  endian: 'be' | 'le';
  includesPrefix: boolean;
  sizeKey: string;
}

/** The framing a form describes, or the reason it cannot be used. */
export function framingOf(form: { framing: FramingName | 'custom'; custom: CustomFraming }): Framing | { field: string; message: string } {
  if (form.framing !== 'custom') return framingByName(form.framing);
  const c = form.custom;
  switch (c.kind) {
    case 'delimiter': {
      let text: string;
      try {
        text = new TextDecoder().decode(parseEscaped(c.delimiter, utf8Encode, 'delimiter'));
      } catch (e) {
        return { field: 'delimiter', message: (e as Error).message };
      }
      if (text.length < 1 || text.length > 16) return { field: 'delimiter', message: 'delimiter: 1–16 characters, e.g. \\r\\n' };
      return { kind: 'delimiter', delimiter: text };
    }
    case 'fixed':
      if (!/^\d+$/.test(c.size) || Number(c.size) < 1 || Number(c.size) > 16 * 1024 * 1024) return { field: 'size', message: `size: "${c.size}" must be a whole number of bytes, 1 to 16 MiB` };
      return { kind: 'fixed', size: Number(c.size) };
    case 'length':
      return { kind: 'length', bytes: Number(c.bytes) as 1 | 2 | 4 | 8, endian: c.endian, includesPrefix: c.includesPrefix };
    case 'header-json':
      if (!c.sizeKey.trim()) return { field: 'sizeKey', message: 'size key: name the header field that holds the body size' };
      return { kind: 'header-json', sizeKey: c.sizeKey.trim() };
  }
}

export interface ClientView {
  peer: string;
  since: number;
  bytesIn: number;
  bytesOut: number;
}

export interface NewSessionForm {
  kind: OpenSession['kind'];
  host: string;
  port: string;
  framing: FramingName | 'custom';
  custom: CustomFraming;
  encoding: 'utf8' | 'gbk';
  reply: 'none' | 'echo' | 'fixed' | 'rules';
  replyText: string;
  rules: ReplyRule[];
  /** TCP client: give up connecting after this many ms. */
  timeoutMs: string;
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
}

export interface GeneratorForm {
  /** '' sends `size` bytes of filler; otherwise the id of a saved packet. */
  packetId: string;
  proto: 'udp' | 'tcp';
  host: string;
  port: string;
  count: string;
  size: string;
  rate: string;
}

export interface SenderSlice {
  sender: {
    sessions: SessionView[];
    active: string | null;
    logs: Record<string, SessionLog>;
    form: NewSessionForm;
    composer: Composer;
    opening: boolean;
    generator: { form: GeneratorForm; runId: string | null; progress: GeneratorProgress | null; error: { field: string | null; message: string } | null };
    library: SavedPacket[];
    /** `error` is the backend's refusal, worded by its code (a limit, a file that cannot be saved). */
    libraryMessage: { ok: boolean; text: string; error?: WirelabErrorData } | null;
    /** Sessions with a repeat running (cleared by the service's repeat-end event). */
    repeating: Record<string, boolean>;
    formError: { field: string | null; message: string; code: string | null } | null;
    sendError: { field: string | null; message: string; code: string | null } | null;
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
  /** Starts repeating the composer's payload, or stops a running repeat. */
  toggleRepeat(): Promise<void>;
  halfCloseSession(id: string): Promise<void>;
  /** A TCP client closes and connects again to the same address; false (with sendError) when it could not. */
  reconnectSession(id: string): Promise<boolean>;
  closeSession(id: string): Promise<void>;
  clearLog(id: string): void;
  applySenderEvents(batch: EventBatch<'sender.event'>): void;
  setGeneratorForm(patch: Partial<GeneratorForm>): void;
  startGenerator(): Promise<void>;
  stopGenerator(): Promise<void>;
  applyGeneratorProgress(batch: EventBatch<'generator.progress'>): void;
  loadLibrary(): Promise<void>;
  savePacket(name: string): Promise<void>;
  usePacket(id: string): void;
  deletePacket(id: string): Promise<void>;
  importPackets(json: string): Promise<void>;
  exportPackets(): Promise<string | null>;
}

// startedAt 0: the clock starts at the session's first event (its connect), so times read +0.000s onwards.
const emptyLog = (capacity: number): SessionLog => ({ rate: { second: 0, bytes: 0, messages: 0, lastBytes: 0, lastMessages: 0 }, chunks: new EventRing(capacity), messages: new EventRing(capacity), version: 0, bytesIn: 0, bytesOut: 0, messagesIn: 0, dropped: 0, startedAt: 0 });

export function createSenderSlice<T extends SenderSlice & { settings: { senderLogCapacity: number } }>(client: ContractClient): StateCreator<T, [], [], SenderSlice> {
  return (set, get) => {
    /** The log size from the settings (applies to logs started or cleared from now on). */
    const capacity = () => get().settings.senderLogCapacity;
    const patch = (p: Partial<SenderSlice['sender']>) => set({ sender: { ...get().sender, ...p } } as Partial<T>);

    async function open(form: NewSessionForm): Promise<SessionInfo | null> {
      const port = form.port.trim();
      if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) {
        patch({ formError: { field: 'port', message: `port: "${port}" is not a port number (0–65535)`, code: 'INVALID_INPUT' } });
        return null;
      }
      const framing = framingOf(form);
      if (!('kind' in framing)) {
        patch({ formError: { field: framing.field, message: framing.message, code: 'INVALID_INPUT' } });
        return null;
      }
      const base = { host: form.host, port: Number(port), framing, encoding: form.encoding };
      const timeout = form.timeoutMs.trim();
      if (form.kind === 'tcp-client' && (!/^\d+$/.test(timeout) || Number(timeout) < 100 || Number(timeout) > 120_000)) {
        patch({ formError: { field: 'timeout', message: `timeout: "${timeout}" must be 100–120000 ms`, code: 'INVALID_INPUT' } });
        return null;
      }
      const spec: OpenSession = form.kind === 'tcp-client' ? { kind: 'tcp-client', ...base, timeoutMs: Number(timeout) } : { kind: form.kind, ...base, reply: form.reply, replyText: form.replyText, rules: form.rules };
      const r = await client.invoke('sender.open', spec);
      if (!r.ok) {
        patch({ formError: { field: r.error.field ?? null, message: r.error.message, code: r.error.code } });
        return null;
      }
      const view: SessionView = { info: r.value, framing: form.framing, framingLabel: describeFraming(framing), destHost: form.kind === 'udp' ? '127.0.0.1' : '', destPort: '', clients: [], sendTo: '' };
      const s = get().sender;
      patch({ sessions: [...s.sessions, view], active: r.value.id, logs: { ...s.logs, [r.value.id]: s.logs[r.value.id] ?? emptyLog(capacity()) }, formError: null });
      return r.value;
    }

    /** The send request for the active session from the composer, or null (with the error shown). */
    function request() {
      const s = get().sender;
      const view = s.sessions.find((x) => x.info.id === s.active);
      if (!view) return null;
      const c = s.composer;
      if (c.mode === 'file' && !c.fileName) {
        patch({ sendError: { field: 'payload', message: 'file: choose a file to send', code: 'INVALID_INPUT' } });
        return null;
      }
      const payload = { mode: c.mode, text: c.mode === 'file' ? c.fileText : c.text, encoding: c.encoding, lineEnding: c.mode === 'file' ? ('none' as const) : c.lineEnding };
      if (view.info.kind === 'tcp-server' && view.sendTo) return { sessionId: view.info.id, payload, clientPeer: view.sendTo };
      if (view.info.kind !== 'udp') return { sessionId: view.info.id, payload };
      if (!/^\d+$/.test(view.destPort.trim()) || Number(view.destPort) < 1 || Number(view.destPort) > 65535) {
        patch({ sendError: { field: 'port', message: `port: "${view.destPort}" is not a port number (1–65535)`, code: 'INVALID_INPUT' } });
        return null;
      }
      return { sessionId: view.info.id, payload, host: view.destHost, port: Number(view.destPort) };
    }

    return {
      sender: {
        sessions: [],
        active: null,
        logs: {},
        form: { kind: 'tcp-client', host: '127.0.0.1', port: '', framing: 'raw', custom: { kind: 'delimiter', delimiter: '\\r\\n', size: '64', bytes: '2', endian: 'be', includesPrefix: false, sizeKey: 'data_size' }, encoding: 'utf8', reply: 'none', replyText: 'OK', rules: [{ match: 'regex', pattern: '^GET /(\\S*)', reply: 'you asked for $1' }], timeoutMs: '5000' },
        composer: { mode: 'text', text: '你好', encoding: 'utf8', lineEnding: 'none', repeatMs: '1000', repeatCount: '10', fileName: '', fileText: '' },
        opening: false,
        repeating: {},
        library: [],
        libraryMessage: null,
        generator: { form: { packetId: '', proto: 'udp', host: '127.0.0.1', port: '', count: '100000', size: '8', rate: '10000' }, runId: null, progress: null, error: null },
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
          const { framing, encoding, custom } = get().sender.form;
          const server = await open({ kind: 'tcp-server', host: '127.0.0.1', port: '0', framing, custom, encoding, reply: 'echo', replyText: '', rules: [], timeoutMs: '5000' });
          if (!server) return;
          const port = server.local.split(':').at(-1) ?? '0';
          await open({ kind: 'tcp-client', host: '127.0.0.1', port, framing, custom, encoding, reply: 'none', replyText: '', rules: [], timeoutMs: '5000' });
        } finally {
          patch({ opening: false });
        }
      },
      async sendComposer() {
        const req = request();
        if (!req) return;
        const r = await client.invoke('sender.send', req);
        patch({ sendError: r.ok ? null : { field: r.error.field ?? null, message: r.error.message, code: r.error.code } });
      },
      async toggleRepeat() {
        const s = get().sender;
        if (s.active && s.repeating[s.active]) {
          await client.invoke('sender.stopRepeat', { sessionId: s.active });
          return;
        }
        const req = request();
        if (!req) return;
        const ms = s.composer.repeatMs.trim();
        const n = s.composer.repeatCount.trim();
        if (!/^\d+$/.test(ms) || Number(ms) < 1) return patch({ sendError: { field: 'intervalMs', message: `interval: "${ms}" must be a whole number of milliseconds, 1 or more`, code: 'INVALID_INPUT' } });
        if (!/^\d+$/.test(n)) return patch({ sendError: { field: 'count', message: `times: "${n}" must be a whole number (0 = until stopped)`, code: 'INVALID_INPUT' } });
        const r = await client.invoke('sender.repeat', { ...req, intervalMs: Number(ms), count: Number(n) });
        if (r.ok) patch({ repeating: { ...get().sender.repeating, [req.sessionId]: true }, sendError: null });
        else patch({ sendError: { field: r.error.field ?? null, message: r.error.message, code: r.error.code } });
      },
      async halfCloseSession(id) {
        const r = await client.invoke('sender.halfClose', { sessionId: id });
        if (r.ok) patch({ sessions: get().sender.sessions.map((s) => (s.info.id === id ? { ...s, info: r.value } : s)) });
        else patch({ sendError: { field: null, message: r.error.message, code: r.error.code } });
      },
      async reconnectSession(id) {
        const r = await client.invoke('sender.reconnect', { sessionId: id });
        if (r.ok) patch({ sessions: get().sender.sessions.map((s) => (s.info.id === id ? { ...s, info: r.value } : s)), sendError: null });
        else patch({ sendError: { field: null, message: r.error.message, code: r.error.code } });
        return r.ok;
      },
      async closeSession(id) {
        await client.invoke('sender.close', { sessionId: id });
        const s = get().sender;
        const sessions = s.sessions.filter((x) => x.info.id !== id);
        const logs = { ...s.logs };
        delete logs[id];
        patch({ sessions, logs, active: s.active === id ? (sessions.at(-1)?.info.id ?? null) : s.active });
      },
      clearLog(id) {
        patch({ logs: { ...get().sender.logs, [id]: emptyLog(capacity()) } });
      },
      setGeneratorForm(p) {
        const g = get().sender.generator;
        patch({ generator: { ...g, form: { ...g.form, ...p }, error: null } });
      },
      async startGenerator() {
        const g = get().sender.generator;
        const f = g.form;
        const num = (field: string, v: string, label: string) => {
          if (!/^\d+$/.test(v.trim())) throw { field, message: `${label}: "${v}" must be a whole number` };
          return Number(v);
        };
        let input;
        try {
          input = { proto: f.proto, host: f.host, port: num('port', f.port, 'port'), count: num('count', f.count, 'count'), size: f.packetId ? 1 : num('size', f.size, 'size'), rate: num('rate', f.rate, 'rate'), ...(f.packetId ? { packetId: f.packetId } : {}) };
        } catch (e) {
          return patch({ generator: { ...g, error: e as { field: string; message: string } } });
        }
        const r = await client.invoke('generator.start', input);
        const now = get().sender.generator;
        patch({ generator: r.ok ? { ...now, runId: r.value.id, progress: null, error: null } : { ...now, error: { field: r.error.field ?? null, message: r.error.message } } });
      },
      async stopGenerator() {
        const g = get().sender.generator;
        if (g.runId) await client.invoke('generator.stop', { id: g.runId });
      },
      applyGeneratorProgress(batch) {
        const g = get().sender.generator;
        const mine = batch.events.filter((e) => e.id === g.runId);
        if (mine.length) patch({ generator: { ...g, progress: mine.at(-1)! } });
      },
      async loadLibrary() {
        const r = await client.invoke('packets.list', {});
        if (r.ok) patch({ library: r.value });
      },
      async savePacket(name) {
        const s = get().sender;
        const c = s.composer;
        const view = s.sessions.find((x) => x.info.id === s.active);
        const r = await client.invoke('packets.save', {
          name,
          kind: view ? (view.info.kind === 'udp' ? 'udp' : 'tcp') : 'any',
          framing: (view?.framing ?? s.form.framing) === 'custom' ? 'raw' : ((view?.framing ?? s.form.framing) as FramingName),
          payload: { mode: c.mode, text: c.text, encoding: c.encoding, lineEnding: c.lineEnding },
        });
        patch(r.ok ? { library: [...get().sender.library, r.value], libraryMessage: null } : { libraryMessage: { ok: false, text: r.error.message, error: r.error } });
      },
      usePacket(id) {
        const p = get().sender.library.find((x) => x.id === id);
        if (p) patch({ composer: { ...get().sender.composer, ...p.payload }, sendError: null });
      },
      async deletePacket(id) {
        await client.invoke('packets.delete', { id });
        patch({ library: get().sender.library.filter((p) => p.id !== id) });
      },
      async importPackets(json) {
        const r = await client.invoke('packets.import', { json });
        if (!r.ok) return patch({ libraryMessage: { ok: false, text: r.error.message, error: r.error } });
        await get().loadLibrary();
        patch({ libraryMessage: { ok: true, text: String(r.value.added) } });
      },
      async exportPackets() {
        const r = await client.invoke('packets.export', {});
        return r.ok ? r.value.json : null;
      },
      applySenderEvents(batch) {
        // One store update per batch, however many events it carries.
        const s = get().sender;
        const logs = { ...s.logs };
        const grouped = new Map<string, SenderEvent[]>();
        for (const e of batch.events) {
          const list = grouped.get(e.sessionId) ?? [];
          list.push(e);
          grouped.set(e.sessionId, list);
        }
        let sessions = s.sessions;
        for (const [id, events] of grouped) {
          const log = logs[id] ?? emptyLog(capacity());
          const raw = s.sessions.find((v) => v.info.id === id)?.framing === 'raw';
          let inBytes = 0;
          let outBytes = 0;
          let messages = 0;
          for (const e of events) {
            if (e.type === 'message') {
              log.messages.push(e);
              messages++;
              continue;
            }
            log.chunks.push(e);
            if (e.type !== 'chunk') continue;
            if (e.dir === 'in') {
              inBytes += e.length;
              // Without framing every incoming chunk is a message of its own.
              if (raw) {
                log.messages.push(e);
                messages++;
              }
            } else outBytes += e.length;
          }
          // The live rate: counts roll over once per wall-clock second.
          const second = Math.floor(Date.now() / 1000);
          const r = log.rate.second === second ? { ...log.rate } : { second, bytes: 0, messages: 0, lastBytes: log.rate.second === second - 1 ? log.rate.bytes : 0, lastMessages: log.rate.second === second - 1 ? log.rate.messages : 0 };
          r.bytes += inBytes;
          r.messages += messages;
          logs[id] = {
            ...log,
            rate: r,
            version: log.version + 1,
            startedAt: log.startedAt || events[0]!.at,
            bytesIn: log.bytesIn + inBytes,
            bytesOut: log.bytesOut + outBytes,
            messagesIn: log.messagesIn + messages,
            dropped: log.dropped + batch.dropped,
          };
          if (events.some((e) => e.type === 'repeat-end')) {
            const repeating = { ...get().sender.repeating };
            delete repeating[id];
            patch({ repeating });
          }
          const view = sessions.find((v) => v.info.id === id);
          if (view?.info.kind === 'tcp-server') {
            // Per-client counters, from the same events the log shows.
            const byPeer = new Map(view.clients.map((c) => [c.peer, { ...c }]));
            for (const e of events) {
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
          const last = events.findLast((e) => e.type === 'connect' || (e.type === 'close' && e.message === 'connection closed'));
          if (last) {
            const state = last.type === 'connect' ? 'open' : 'closed';
            sessions = sessions.map((v) => (v.info.id === id && v.info.kind === 'tcp-client' ? { ...v, info: { ...v.info, state } } : v));
          }
        }
        patch({ logs, sessions });
      },
    };
  };
}
