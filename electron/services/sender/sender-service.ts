import { randomUUID } from 'node:crypto';
import { isIP, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ErrorCode, WirelabError } from '../../../shared/contract/errors.ts';
import { limits } from '../../../shared/contract/limits.ts';
import type { LogPage, OpenSession, PayloadSpec, SenderEvent, SessionInfo, SessionSummary } from '../../../shared/contract/sender.ts';
import { checkHost, checkPort } from '../../../shared/sender/endpoint.ts';
import { explainSocketError } from '../../../shared/sender/socket-errors.ts';
import { encodeFrame, FrameBudget, FrameDecoder, partialFramesBudget, type FrameProblem, type Framing } from '../../../shared/sender/framing.ts';
import { buildPayload, expandMacros, toHex } from '../../../shared/sender/payload.ts';
import { LogBudget } from '../../../shared/sender/log-budget.ts';
import { logToJson, logToPcap, logToText } from '../../../shared/sender/log-export.ts';
import { SessionLogs, type LogEntry } from '../../../shared/sender/session-log.ts';
import { ruleDeadlineMs } from '../../../shared/sender/reply-rules.ts';
import { parseIp } from '../../../shared/subnet/ip.ts';
import { SubnetError } from '../../../shared/subnet/subnet-error.ts';
import { classify } from '../../../shared/subnet/special-addresses.ts';
import type { EventHub } from '../../core/event-hub.ts';
import { peerName, TcpClient } from './tcp-client.ts';
import { TcpServer } from './tcp-server.ts';
import { encodeText, type Encoding } from './text-codec.ts';
import { kernelDropCounter } from './udp-kernel.ts';
import { Connection, socketIo, type ConnectionHooks, type ConnectionIo } from './responders/connection.ts';
import type { FileSent } from './responders/responder.ts';
import { escapedBytes, responderFactory, type ResponderPlan } from './responders/registry.ts';
import { UdpSocket } from './udp-socket.ts';
import { chunkPreview, chunkPreviewBytes } from './chunk-preview.ts';
import { BodyIntake } from './body-intake.ts';
import { checkSaveDir } from './save-file.ts';
import { CountersTicker } from './counters-ticker.ts';
import { ByteSlab } from '../../../shared/sender/byte-slab.ts';

const empty = new Uint8Array(0);

interface Session {
  info: SessionInfo;
  framing: Framing;
  /** How incoming bytes are cut into messages, and how outgoing ones are wrapped (each defaults to `framing`). */
  framingIn: Framing;
  framingOut: Framing;
  encoding: Encoding;
  client?: TcpClient;
  /** How a client session connected, to connect again the same way (reconnect). */
  connectSpec?: { host: string; port: number; timeoutMs: number; bind?: { host?: string | undefined; port: number } | undefined };
  server?: TcpServer;
  udp?: UdpSocket;
  /** {{counter}} for the next send on this session. */
  counter: number;
  /** How the session answers (responders/registry.ts), or null when it does not. */
  plan: ResponderPlan | null;
  /** Sent raw to each client on connect (escapes already turned into bytes). */
  greet: Uint8Array;
  /** Each open connection (a server's clients, a client's one) or UDP peer, as its responder sees it. */
  conns: Map<string, Connection>;
  /** Where incoming bodies are streamed (the save dir, or the responder's own folder), or null: all in memory. */
  save: { dir: string; overwrite: boolean; when?: (header: Record<string, unknown> | undefined) => boolean } | null;
  /** Bodies saved without a usable name so far (message-0001.bin …). */
  numbered: number;
  /** Connections that closed with work still queued (a body being renamed into place). */
  draining: Set<Connection>;
  broadcast: boolean;
  groups: Set<string>;
  logBudget: LogBudget;
  /** The socket's datagrams dropped by the kernel so far (Linux), read on demand. */
  kernelDrops?: () => number | null;
  repeat?: { timer: ReturnType<typeof setTimeout> | null; sent: number; stopped: boolean };
  openedAt: number;
  /** Messages decoded from incoming bytes (raw framing: incoming chunks) that reached the log. */
  messagesIn: number;
}

/**
 * Every socket the packet sender opens lives here, in the main process (or the browser host),
 * never in the page, and so does each session's log (session-log.ts, full bytes, one budget for
 * all sessions). Each entry is also published as a `sender.event` with its seq; a page lists
 * the sessions, reads their logs in pages and follows the stream, keeping view state only.
 */
export class SenderService {
  private readonly sessions = new Map<string, Session>();
  /** Partial frames of every connection of every session share this (see partialFramesBudget). */
  readonly frameBudget = new FrameBudget(partialFramesBudget);
  /** Where the log's copies of small views go: one allocation per 1 MiB, reused, not one per datagram. */
  private readonly slab = new ByteSlab();
  readonly logs = new SessionLogs(undefined, (e) => this.slab.release(e.bytes));
  /** `sender.counters`: the exact counts, about once a second while they move. */
  readonly counters: CountersTicker;

  constructor(private readonly hub: EventHub) {
    this.counters = new CountersTicker(hub, () => [...this.sessions.values()].map((s) => this.infoOf(s)));
  }

  private emit(s: Session, e: Partial<SenderEvent> & Pick<SenderEvent, 'type'>, bytes?: Uint8Array, header?: Record<string, unknown>): void {
    // A socket's last events can come after its session closed (and its log went): nobody shows them.
    if (!this.logs.has(s.info.id)) return;
    let preview = chunkPreviewBytes;
    if (e.type === 'chunk' || e.type === 'message') {
      // Under a flood the log takes what its budget allows; the counters stay exact.
      const verdict = s.logBudget.take(Math.min(bytes?.length ?? 0, chunkPreviewBytes));
      if (verdict === 'skip') {
        s.info.notLogged++;
        return;
      }
      // 'bare': the page gets the length only; the backend's log still holds every byte
      if (verdict === 'bare') preview = 0;
      if (e.dir === 'in' && (e.type === 'message' || s.framingIn.kind === 'raw')) s.messagesIn++;
    }
    // The log owns a copy when the bytes are a view: it would pin a socket's (or a recvmmsg
    // batch's) whole buffer. Small copies are packed into shared slabs (byte-slab.ts). A chunk that is its whole buffer (a full 64 KiB read) is kept as it
    // is: copying it again doubles the garbage of a bulk transfer (1 GiB to disk: +~60 MB RSS).
    const entry = this.logs.append(s.info.id, {
      type: e.type,
      dir: e.dir ?? null,
      at: Date.now(),
      peer: e.peer ?? null,
      code: e.code ?? null,
      message: e.message ?? null,
      bytes: !bytes ? empty : bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : this.slab.copy(bytes),
      ...(header ? { header } : {}),
      ...(e.params ? { params: e.params } : {}),
    });
    // Formatting hex and text for every datagram is the costly part; skip it when no UI listens.
    if (this.hub.listenerCount('sender.event') === 0) return;
    this.hub.publish('sender.event', this.eventOf(s, entry, preview));
  }

  /** A log entry as the contract carries it: hex and text of its first `preview` bytes. */
  private eventOf(s: Session, e: LogEntry, preview: number): SenderEvent {
    return {
      sessionId: s.info.id,
      seq: e.seq,
      type: e.type,
      dir: e.dir,
      at: e.at,
      peer: e.peer,
      code: e.code,
      message: e.message,
      ...chunkPreview(e.bytes, s.encoding, preview),
      ...(e.header ? { header: e.header } : {}),
      ...(e.params ? { params: e.params } : {}),
    };
  }

  /**
   * Incoming bytes on one stream: the raw chunk, then each message the incoming framing
   * completes, each handed to the connection's responder (which answers through the outgoing
   * framing, responders/connection.ts).
   */
  private receive(
    s: Session,
    decoder: FrameDecoder | null,
    conn: Connection | null,
    intake: BodyIntake | null,
    peer: string,
    chunk: Uint8Array,
    onProblem?: () => void,
  ): void {
    s.info.received++;
    s.info.receivedBytes += chunk.length;
    this.emit(s, { type: 'chunk', dir: 'in', peer }, chunk);
    // After a framing problem the stream has no boundaries left: the chunk is logged, not decoded.
    if (decoder?.problem) return;
    // A responder may take bytes before the framing (a challenge's raw answer, responder.ts's take)
    if (conn?.responder?.take && !conn.closed) {
      try {
        chunk = conn.responder.take(chunk, conn);
      } catch (e) {
        // a responder's failure is this connection's, never the host's (as Connection.pump says)
        conn.note('RESPONDER_FAILED', `the responder failed: ${(e as Error).message}`, { reason: (e as Error).message });
        return;
      }
      if (chunk.length === 0) return;
    }
    const raw = s.framingIn.kind === 'raw';
    if (intake) {
      // Streaming to disk: raw framing has no boundaries, so a connection's stream (a datagram) is one body.
      if (raw || !decoder) {
        if (!intake.open) intake.take([{ kind: 'start', size: 0, toDisk: true }]);
        intake.take([{ kind: 'body', bytes: new Uint8Array(chunk) }]);
      } else intake.take(decoder.pushStream(chunk));
    } else {
      const messages = raw || !decoder ? [{ bytes: chunk }] : decoder.push(chunk);
      for (const m of messages) {
        if (!raw) this.emit(s, { type: 'message', dir: 'in', peer }, m.bytes, 'header' in m ? m.header : undefined);
        conn?.deliver(m);
      }
    }
    // Said once per connection (the decoder stops at its first problem).
    if (decoder?.problem) {
      intake?.abort();
      this.frameProblem(s, peer, decoder.problem, onProblem);
    }
  }

  /** How a session's incoming framing is decoded: streaming when bodies may go to disk. */
  private decoderFor(s: Session, maxFrame?: number, budget: FrameBudget | null = this.frameBudget): FrameDecoder {
    const save = s.save;
    const missingSizeIsEmpty = s.plan?.missingSizeIsEmpty ?? false;
    return new FrameDecoder(s.framingIn, maxFrame, budget, {
      missingSizeIsEmpty,
      ...(save ? { stream: { toDisk: (h) => !save.when || save.when(h), maxBody: limits.senderSaveBytes } } : {}),
    });
  }

  /** The intake of one connection when the session saves bodies to disk; null otherwise. */
  private intakeFor(s: Session, conn: Connection | null): BodyIntake | null {
    const save = s.save;
    if (!save || !conn) return null;
    const raw = s.framingIn.kind === 'raw';
    return new BodyIntake({ dir: save.dir, overwrite: save.overwrite, nextNumber: () => ++s.numbered }, conn, {
      message: (bytes, header) => {
        if (!raw) this.emit(s, { type: 'message', dir: 'in', peer: conn.peer }, bytes, header);
      },
      note: (code, message, params) => conn.note(code, message, params),
    });
  }

  /** A TCP connection ended: a half-received frame is reported, a half-saved body removed, a raw stream's body completed. */
  private streamEnded(s: Session, decoder: FrameDecoder, intake: BodyIntake | null, peer: string): void {
    const problem = s.framingIn.kind === 'raw' ? null : decoder.end();
    if (problem) {
      intake?.abort();
      this.emit(s, { type: 'error', peer, code: problem.code, message: problem.message, params: problem.params });
    } else if (intake?.open) intake.take([{ kind: 'end' }]);
    decoder.dispose();
  }

  private frameProblem(s: Session, peer: string, p: FrameProblem, onProblem?: () => void): void {
    this.emit(s, {
      type: 'error',
      peer,
      code: p.code,
      message: onProblem ? `${p.message}; closing this connection` : p.message,
      params: onProblem ? { ...p.params, closing: true } : p.params,
    });
    onProblem?.();
  }

  /** What a connection tells its session: counted, logged, and (a relay) who else is there. */
  private hooksOf(s: Session): ConnectionHooks {
    return {
      sent: (peer, bytes, log) => {
        this.countSent(s, typeof bytes === 'number' ? bytes : bytes.length);
        if (log && typeof bytes !== 'number') this.emit(s, { type: 'chunk', dir: 'out', peer }, bytes);
      },
      note: (peer, code, message, params) => this.emit(s, { type: 'notice', peer, code, message, ...(params ? { params } : {}) }),
      others: (self) => [...s.conns.values()].filter((c) => c !== self && !c.closed),
    };
  }

  /** A connection's responder context over a TCP socket; `onWrite` counts a server client's bytes. */
  private socketConnection(s: Session, peer: string, socket: Socket, onWrite?: (n: number) => void): Connection {
    return new Connection(peer, s.encoding, s.framingOut, socketIo(socket, onWrite), this.hooksOf(s), s.plan?.make() ?? null);
  }

  /** A TCP connection opened: its greeting, then its responder's opening (a challenge, a join). */
  private opened(s: Session, conn: Connection): void {
    if (s.greet.length) conn.sendRaw(s.greet);
    try {
      conn.responder?.open?.(conn);
    } catch (e) {
      conn.note('RESPONDER_FAILED', `the responder failed: ${(e as Error).message}`, { reason: (e as Error).message });
    }
  }

  private countSent(s: Session, bytes: number): void {
    s.info.sent++;
    s.info.sentBytes += bytes;
  }

  /** RULE_TIMEOUT: a rule overran its deadline and is off for this session. */
  private ruleTimedOut(s: Session, index: number, ms: number): void {
    s.info.timedOutRules.push(index);
    this.emit(s, {
      type: 'error',
      code: 'RULE_TIMEOUT',
      message: `rules[${index}] took ${Math.round(ms)} ms on one message (over ${ruleDeadlineMs} ms); it is turned off for this session`,
      params: { rule: index, ms: Math.round(ms), limit: ruleDeadlineMs },
    });
  }

  async open(spec: OpenSession): Promise<SessionInfo> {
    const host = checkHost(spec.host);
    const id = randomUUID();
    const s: Session = {
      info: {
        id,
        kind: spec.kind,
        local: '',
        remote: null,
        connectMs: null,
        state: 'open',
        received: 0,
        receivedBytes: 0,
        sent: 0,
        sentBytes: 0,
        kernelDropped: spec.kind === 'udp' ? null : 0,
        notLogged: 0,
        timedOutRules: [],
      },
      framing: spec.framing,
      framingIn: spec.framingIn ?? spec.framing,
      framingOut: spec.framingOut ?? spec.framing,
      encoding: spec.encoding,
      counter: 1,
      plan: null,
      greet: new Uint8Array(0),
      conns: new Map(),
      save: null,
      numbered: 0,
      draining: new Set(),
      broadcast: false,
      groups: new Set(),
      logBudget: new LogBudget(),
      openedAt: Date.now(),
      messagesIn: 0,
    };
    // The log exists from the first event (a client's connect comes before open returns); it
    // is dropped again if the open fails.
    this.logs.open(id);
    try {
      await this.start(s, spec, host);
    } catch (e) {
      this.logs.close(id);
      throw e;
    }
    this.sessions.set(id, s);
    this.counters.start();
    return this.infoOf(s);
  }

  private async start(s: Session, spec: OpenSession, host: string): Promise<void> {
    s.plan = responderFactory(spec, { onRuleTimeout: (index, ms) => this.ruleTimedOut(s, index, ms) });
    if (spec.kind !== 'tcp-client' && spec.greet) s.greet = escapedBytes(spec.greet, spec.encoding, 'greet');
    const save = s.plan?.save ?? (spec.saveDir ? { dir: spec.saveDir } : null);
    if (save) {
      checkSaveDir(save.dir, s.plan?.save ? 'dir' : 'saveDir');
      s.save = { ...save, overwrite: spec.overwrite };
    }
    if (spec.kind === 'tcp-client') {
      s.connectSpec = {
        host,
        port: checkPort(spec.port),
        timeoutMs: spec.timeoutMs,
        ...(spec.bind ? { bind: { host: spec.bind.host ? checkHost(spec.bind.host, 'bind') : undefined, port: checkPort(spec.bind.port, 'bind', true) } } : {}),
      };
      await this.connectClient(s);
    } else if (spec.kind === 'tcp-server') {
      const server = await TcpServer.listen({ host, port: checkPort(spec.port, 'port', true) }, (c) => {
        const decoder = this.decoderFor(s);
        this.emit(s, { type: 'client-open', peer: c.peer });
        const key = String(c.id);
        const conn = this.socketConnection(s, c.peer, c.socket, (n) => (c.bytesOut += n));
        const intake = this.intakeFor(s, conn);
        s.conns.set(key, conn);
        // A framing error (or the shared frame budget refusing a frame) ends this connection
        // only: said once with its code, as `wirelab listen` does, then the socket is closed.
        const drop = () => c.socket.destroy();
        c.socket.on('data', (d: Buffer) => this.receive(s, decoder, conn, intake, c.peer, d, drop));
        c.socket.on('close', () => {
          // its partial frame goes back to the budget; a body cut short is reported and its .part removed
          if (!decoder.problem) this.streamEnded(s, decoder, intake, c.peer);
          else decoder.dispose();
          s.conns.delete(key);
          conn.gone();
          if (conn.busy) {
            s.draining.add(conn);
            void conn.idle().then(() => s.draining.delete(conn));
          }
          this.emit(s, { type: 'client-close', peer: c.peer });
        });
        this.opened(s, conn);
      });
      s.server = server;
      s.info.local = peerName(server.host, server.port);
    } else {
      const bindHost = host;
      const udp: UdpSocket = await UdpSocket.bind({ host: bindHost, port: checkPort(spec.port, 'port', true) }, (d, from) => {
        const peer = peerName(from.address, from.port);
        // Datagrams keep their boundaries: each one is framed on its own, and a frame cannot be
        // larger than the datagram that carries it.
        const conn = this.udpPeer(s, udp, from.address, from.port);
        const decoder = s.framingIn.kind === 'raw' ? null : this.decoderFor(s, d.length, null);
        const intake = this.intakeFor(s, conn);
        this.receive(s, decoder, conn, intake, peer, d);
        if (intake?.open) {
          if (decoder?.end()) intake.abort();
          else intake.take([{ kind: 'end' }]);
        }
      });
      s.udp = udp;
      s.info.local = peerName(udp.address, udp.port);
      const drops = kernelDropCounter(udp.socket);
      if (drops) s.kernelDrops = drops;
    }
  }

  /**
   * The responder context of one UDP peer (its chat name, its challenge), kept for the
   * limits.udpResponderPeers most recent peers; null when the session does not answer.
   */
  private udpPeer(s: Session, udp: UdpSocket, address: string, port: number): Connection | null {
    if (!s.plan && !s.save) return null;
    const peer = peerName(address, port);
    const known = s.conns.get(peer);
    if (known) {
      // most recent last: Map keeps insertion order, so the first entry is the longest unheard
      s.conns.delete(peer);
      s.conns.set(peer, known);
      return known;
    }
    if (s.conns.size >= limits.udpResponderPeers) {
      const [oldest, c] = s.conns.entries().next().value as [string, Connection];
      s.conns.delete(oldest);
      c.gone();
    }
    let ended = false;
    const io: ConnectionIo = {
      write: (b, done) => {
        udp
          .send(b, address, port)
          .catch((err: unknown) => {
            const e = err instanceof WirelabError ? err : null;
            this.emit(s, { type: 'error', peer, code: e?.code ?? 'SOCKET_ERROR', message: (err as Error).message, ...(e?.params ? { params: e.params } : {}) });
          })
          // the datagram has left (or failed): a file's sender may fill its buffer again
          .finally(() => done?.());
        return true;
      },
      drain: () => Promise.resolve(),
      end: () => {
        ended = true;
        s.conns.delete(peer);
        conn.gone();
      },
      get closed() {
        return ended;
      },
    };
    const conn = new Connection(peer, s.encoding, s.framingOut, io, this.hooksOf(s), s.plan?.make() ?? null);
    s.conns.set(peer, conn);
    return conn;
  }

  /** Connects a client session's socket and publishes what happens on it. */
  private async connectClient(s: Session): Promise<void> {
    const client = await TcpClient.connect(s.connectSpec!);
    s.client = client;
    s.info.local = peerName(client.local.address, client.local.port);
    s.info.remote = peerName(client.remote.address, client.remote.port);
    s.info.connectMs = Math.round(client.connectMs * 1000) / 1000;
    s.info.state = 'open';
    const decoder = this.decoderFor(s);
    const remote = s.info.remote;
    const conn = this.socketConnection(s, remote, client.socket);
    s.conns.set('client', conn);
    const intake = this.intakeFor(s, conn);
    client.socket.on('data', (d: Buffer) => this.receive(s, decoder, conn, intake, remote, d));
    client.socket.on('end', () => {
      if (!decoder.problem) this.streamEnded(s, decoder, intake, remote);
      this.emit(s, { type: 'close', peer: remote, code: 'SENDER_PEER_FIN', message: 'the peer sent FIN (it will send no more)' });
    });
    client.socket.on('error', (err: NodeJS.ErrnoException) => {
      const e = explainSocketError(err.code, 'connection', 'connection', remote);
      this.emit(s, { type: 'error', peer: remote, code: e.code, message: e.message, params: e.params });
    });
    client.socket.on('close', () => {
      // closed without FIN (a reset): a body cut short is removed, not left as if whole
      intake?.abort();
      decoder.dispose();
      conn.gone();
      // a reconnect has already replaced this socket: its close is old news
      if (s.client !== client) return;
      s.info.state = 'closed';
      this.emit(s, { type: 'close', peer: remote, code: 'SENDER_CLOSED', message: 'connection closed' });
    });
    this.emit(s, {
      type: 'connect',
      peer: remote,
      code: 'SENDER_CONNECTED',
      message: `from ${s.info.local} in ${s.info.connectMs} ms`,
      params: { local: s.info.local, ms: s.info.connectMs },
    });
    this.opened(s, conn);
  }

  /**
   * A client session closes its connection (FIN) and connects again to the same host and port,
   * keeping its log, framing and counters: one click after the server went away, and the way to
   * see a handshake in the timeline for a session that was already connected.
   */
  async reconnect(id: string): Promise<SessionInfo> {
    const s = this.get(id);
    if (s.info.kind !== 'tcp-client' || !s.connectSpec)
      throw new WirelabError(ErrorCode.invalidInput, 'sessionId: only a TCP client session can reconnect', 'sessionId');
    const old = s.client;
    // Retire the old socket first, so its 'close' (which can come before the new connect
    // completes) is not taken for the session's end.
    s.client = undefined;
    if (s.info.state !== 'closed')
      this.emit(s, { type: 'close', peer: s.info.remote, code: 'SENDER_CLOSED_TO_RECONNECT', message: 'connection closed to reconnect' });
    s.info.state = 'closed';
    old?.close();
    await this.connectClient(s);
    return this.infoOf(s);
  }

  /**
   * Resolves when every connection of the session has run what it had queued (a body saved
   * just before its peer closed is renamed and logged), or after `ms`: the CLI waits for this
   * before printing what was saved.
   */
  async settle(id: string, ms = 10_000): Promise<void> {
    const s = this.sessions.get(id);
    if (!s) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const all = Promise.all([...s.conns.values(), ...s.draining].map((c) => c.idle()));
    await Promise.race([all, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
    clearTimeout(timer);
  }

  private get(id: string): Session {
    const s = this.sessions.get(id);
    if (!s) throw new WirelabError('NO_SUCH_SESSION', 'sessionId: that session is closed or never existed', 'sessionId');
    return s;
  }

  /** Bytes of a payload as it would be sent (before framing), for the composer's preview. */
  preview(payload: PayloadSpec): { length: number; hex: string } {
    const bytes = buildPayload(payload, (t) => encodeText(t, payload.encoding), 'payload');
    return { length: bytes.length, hex: toHex(bytes.subarray(0, 512)) };
  }

  async send(
    id: string,
    payload: PayloadSpec,
    to?: { host?: string | undefined; port?: number | undefined; clientPeer?: string | undefined },
  ): Promise<{ bytes: number }> {
    const s = this.get(id);
    if (s.info.state === 'closed') throw new WirelabError('SESSION_CLOSED', 'this session is closed; reconnect it (or open a new one) to send', 'sessionId');
    // Macros make each send distinct ({{counter}} counts per session); hex is taken literally.
    const text = payload.mode === 'hex' ? payload.text : expandMacros(payload.text, { counter: s.counter, now: new Date(), random: Math.random });
    const body = buildPayload({ ...payload, text }, (t) => encodeText(t, payload.encoding), 'payload');
    const frame = encodeFrame(s.framingOut, body, payload.header);
    s.counter++;
    if (s.client) {
      if (s.info.state === 'half-closed')
        throw new WirelabError('SEND_AFTER_FIN', 'you already sent FIN (half-close); this side can no longer send', 'sessionId');
      await s.client.write(frame);
      this.countSent(s, frame.length);
      this.emit(s, { type: 'chunk', dir: 'out', peer: s.info.remote }, frame);
    } else if (s.server && to?.clientPeer) {
      s.server.sendToPeer(to.clientPeer, frame);
      this.countSent(s, frame.length);
      this.emit(s, { type: 'chunk', dir: 'out', peer: to.clientPeer }, frame);
    } else if (s.server) {
      const n = s.server.sendAll(frame);
      if (n === 0) throw new WirelabError('NO_CLIENTS', 'no client is connected to this server yet', 'sessionId');
      s.info.sent += n;
      s.info.sentBytes += n * frame.length;
      this.emit(s, { type: 'chunk', dir: 'out', peer: `all ${n} client${n === 1 ? '' : 's'}` }, frame);
    } else if (s.udp) {
      if (!to?.host || !to.port)
        throw new WirelabError('UDP_NEEDS_DESTINATION', 'host: a UDP send needs a destination host and port', 'host', { field: 'host' });
      const host = checkHost(to.host);
      const port = checkPort(to.port);
      if (isIP(host) !== 0 && isIP(host) !== isIP(s.udp.address) && s.udp.address !== '::') {
        throw new WirelabError('UDP_FAMILY', `host: this socket is bound to ${s.udp.address} and cannot send to ${host} (another IP version)`, 'host', {
          field: 'host',
          bound: s.udp.address,
          host,
        });
      }
      await s.udp.send(frame, host, port);
      this.countSent(s, frame.length);
      this.emit(s, { type: 'chunk', dir: 'out', peer: peerName(host, port) }, frame);
    }
    return { bytes: frame.length };
  }

  /**
   * Streams a file from disk as one message of the session's outgoing framing (TCP): read into
   * at most four reused 1 MiB buffers at the socket's pace (responders/connection.ts), so a 1 GiB
   * file costs no more memory than those.
   * Progress goes to the log at most once a second (SENDER_FILE_PROGRESS) and to `onProgress`;
   * the end as SENDER_FILE_SENT, or SENDER_FILE_CUT with the bytes the socket took when the peer
   * closed or reset mid-file (the call still resolves: what was sent is an answer, not an error).
   */
  async sendFile(
    id: string,
    path: string,
    o: { header?: Record<string, unknown> | undefined; clientPeer?: string | undefined; onProgress?: (bytes: number, size: number) => void } = {},
  ): Promise<FileSent> {
    const s = this.get(id);
    if (s.info.state === 'closed') throw new WirelabError('SESSION_CLOSED', 'this session is closed; reconnect it (or open a new one) to send', 'sessionId');
    if (s.info.state === 'half-closed')
      throw new WirelabError('SEND_AFTER_FIN', 'you already sent FIN (half-close); this side can no longer send', 'sessionId');
    if (s.udp) throw new WirelabError(ErrorCode.invalidInput, 'sessionId: a file is sent over a TCP session (a datagram carries at most 64 KiB)', 'sessionId');
    let conn: Connection | undefined;
    if (s.client) conn = s.conns.get('client');
    else {
      const open = [...s.conns.values()].filter((c) => !c.closed);
      if (o.clientPeer) {
        conn = open.find((c) => c.peer === o.clientPeer);
        if (!conn) throw new WirelabError('NO_SUCH_CLIENT', `client: ${o.clientPeer} is no longer connected`, 'client', { peer: o.clientPeer });
      } else if (open.length === 0) throw new WirelabError('NO_CLIENTS', 'no client is connected to this server yet', 'sessionId');
      else if (open.length > 1)
        throw new WirelabError(ErrorCode.invalidInput, `clientPeer: ${open.length} clients are connected; choose the one to send the file to`, 'clientPeer');
      else conn = open[0];
    }
    if (!conn) throw new WirelabError('SESSION_CLOSED', 'this session is closed; reconnect it (or open a new one) to send', 'sessionId');
    const name = path.split(/[\\/]/).at(-1) ?? path;
    let last = performance.now();
    const target = conn;
    return target.sendFile(path, o.header ?? {}, (bytes, size) => {
      o.onProgress?.(bytes, size);
      const now = performance.now();
      if (now - last < 1000 || bytes === size) return;
      last = now;
      target.note('SENDER_FILE_PROGRESS', `sending ${name}: ${bytes.toLocaleString('en-US')} of ${size.toLocaleString('en-US')} bytes`, { name, bytes, size });
    });
  }

  /**
   * Repeats a send. Each send is due at start + i × interval, so one late timer does not push
   * every later send back (a fixed sleep between sends drifts, as Packet Sender's resend does).
   */
  async repeat(
    id: string,
    payload: PayloadSpec,
    to: { host?: string | undefined; port?: number | undefined },
    intervalMs: number,
    count: number,
  ): Promise<boolean> {
    const s = this.get(id);
    this.stopRepeat(id);
    await this.send(id, payload, to); // the first send validates everything and reports errors to the caller
    const state = { timer: null as ReturnType<typeof setTimeout> | null, sent: 1, stopped: false };
    s.repeat = state;
    const started = performance.now();
    const finish = (message: string, code: string, params: Record<string, string | number | boolean>) => {
      state.stopped = true;
      this.emit(s, { type: 'repeat-end', message, code, params });
    };
    const tick = () => {
      if (state.stopped) return;
      if (count && state.sent >= count) return finish(`sent ${state.sent} times`, 'REPEAT_DONE', { count: state.sent });
      this.send(id, payload, to).then(
        () => {
          state.sent++;
          const due = started + state.sent * intervalMs;
          state.timer = setTimeout(tick, Math.max(0, due - performance.now()));
        },
        (e: unknown) =>
          finish(`stopped after ${state.sent}: ${(e as Error).message}`, 'REPEAT_FAILED', {
            ...(e instanceof WirelabError ? e.params : {}),
            count: state.sent,
            error: e instanceof WirelabError ? e.code : 'INTERNAL',
          }),
      );
    };
    if (count === 1) finish('sent 1 time', 'REPEAT_DONE', { count: 1 });
    else state.timer = setTimeout(tick, intervalMs);
    return true;
  }

  stopRepeat(id: string): number {
    const s = this.sessions.get(id);
    if (!s?.repeat || s.repeat.stopped) return s?.repeat?.sent ?? 0;
    if (s.repeat.timer) clearTimeout(s.repeat.timer);
    s.repeat.stopped = true;
    this.emit(s, { type: 'repeat-end', code: 'REPEAT_STOPPED', message: `stopped after ${s.repeat.sent} sends`, params: { count: s.repeat.sent } });
    return s.repeat.sent;
  }

  udpOptions(
    id: string,
    o: {
      broadcast?: boolean | undefined;
      multicastTtl?: number | undefined;
      multicastLoopback?: boolean | undefined;
      multicastInterface?: string | undefined;
      join?: { group: string; iface?: string | undefined } | undefined;
      leave?: { group: string; iface?: string | undefined } | undefined;
    },
  ): { broadcast: boolean; groups: string[] } {
    const s = this.get(id);
    const udp = s.udp;
    if (!udp) throw new WirelabError(ErrorCode.invalidInput, 'sessionId: broadcast and multicast are for UDP sessions', 'sessionId');
    const fail = (field: string, err: unknown) => {
      const e = explainSocketError((err as NodeJS.ErrnoException).code, field, 'option', field);
      return new WirelabError(e.code, e.message, field, e.params);
    };
    try {
      if (o.broadcast !== undefined) udp.setBroadcast(o.broadcast);
      if (o.multicastTtl !== undefined || o.multicastLoopback !== undefined) udp.setMulticast({ ttl: o.multicastTtl, loopback: o.multicastLoopback });
      if (o.multicastInterface) udp.socket.setMulticastInterface(checkHost(o.multicastInterface, 'multicastInterface'));
    } catch (err) {
      if (err instanceof WirelabError) throw err;
      throw fail('multicastInterface', err);
    }
    for (const [op, g] of [
      ['join', o.join],
      ['leave', o.leave],
    ] as const) {
      if (!g) continue;
      const ip = (() => {
        try {
          return parseIp(g.group, 'group');
        } catch (e) {
          throw new WirelabError('IP_ADDRESS', (e as Error).message, 'group', {
            field: 'group',
            ...(e instanceof SubnetError ? { ...e.params, rule: e.rule } : { rule: 'not-an-address' }),
          });
        }
      })();
      if (classify(ip).type !== 'multicast') {
        throw new WirelabError('NOT_MULTICAST', `group: ${g.group} is not a multicast address (IPv4 224.0.0.0/4, IPv6 ff00::/8)`, 'group', {
          field: 'group',
          group: g.group,
        });
      }
      try {
        if (op === 'join') {
          udp.join(g.group, g.iface);
          s.groups.add(g.group);
        } else {
          udp.leave(g.group, g.iface);
          s.groups.delete(g.group);
        }
      } catch (err) {
        throw fail('group', err);
      }
    }
    if (o.broadcast !== undefined) s.broadcast = o.broadcast;
    return { broadcast: s.broadcast, groups: [...s.groups] };
  }

  halfClose(id: string): SessionInfo {
    const s = this.get(id);
    if (!s.client) throw new WirelabError(ErrorCode.invalidInput, 'sessionId: half-close is for TCP client sessions', 'sessionId');
    s.client.end();
    s.info.state = 'half-closed';
    this.emit(s, {
      type: 'close',
      dir: 'out',
      peer: s.info.remote,
      code: 'SENDER_SENT_FIN',
      message: 'sent FIN: this side will send no more, but keeps reading',
    });
    return this.infoOf(s);
  }

  async close(id: string): Promise<boolean> {
    const s = this.sessions.get(id);
    if (!s) return false;
    this.stopRepeat(id);
    this.sessions.delete(id);
    this.counters.forget(id, this.sessions.size);
    s.client?.close();
    await s.server?.close();
    await s.udp?.close();
    s.info.state = 'closed';
    this.logs.close(id);
    // Every page drops the session's tab (the one that closed it, and any other).
    if (this.hub.listenerCount('sender.event') > 0) {
      this.hub.publish('sender.event', {
        sessionId: id,
        seq: 0,
        type: 'session-closed',
        dir: null,
        at: Date.now(),
        peer: null,
        length: 0,
        hex: '',
        text: '',
        truncated: false,
        code: null,
        message: null,
      });
    }
    return true;
  }

  /** Close all: every session, their ports free when it returns. */
  async closeAll(): Promise<number> {
    const ids = [...this.sessions.keys()];
    await Promise.all(ids.map((id) => this.close(id)));
    return ids.length;
  }

  /** One page of a session's log, with the session as it is at this instant (so counters and seq agree). */
  logPage(id: string, q: { before?: number | undefined; after?: number | undefined; limit: number }): LogPage {
    const s = this.get(id);
    const p = this.logs.page(id, q);
    // Within limits.senderLogPageBytes of previews: a tail (or an older page) keeps its newest
    // entries, a catch-up page (after) its oldest, so reading on from either end leaves no gap.
    let entries = p.entries;
    let bytes = 0;
    const fits = (e: LogEntry) => (bytes += Math.min(e.bytes.length, chunkPreviewBytes)) <= limits.senderLogPageBytes;
    if (q.after !== undefined) {
      const n = entries.findIndex((e) => !fits(e));
      if (n >= 0) entries = entries.slice(0, Math.max(1, n));
    } else {
      let from = entries.length;
      while (from > 0 && fits(entries[from - 1]!)) from--;
      entries = entries.slice(Math.min(from, entries.length - 1));
    }
    return {
      session: this.summaryOf(s),
      entries: entries.map((e) => this.eventOf(s, e, chunkPreviewBytes)),
      firstSeq: p.firstSeq,
      lastSeq: p.lastSeq,
      dropped: p.dropped,
    };
  }

  /** One entry of a session's log with its full bytes (the CLI prints them whole), or null once it has gone. */
  entry(id: string, seq: number): LogEntry | null {
    return this.logs.page(id, { after: seq - 1, limit: 1 }).entries.find((e) => e.seq === seq) ?? null;
  }

  clearLog(id: string): number {
    const s = this.get(id);
    const n = this.logs.page(id, { limit: 1 }).lastSeq;
    this.logs.clear(s.info.id);
    return n;
  }

  /**
   * A session's whole log as a file, from the full bytes the log holds: a 100 KB message
   * exports whole. JSON has the chunks and the decoded messages, text and pcap the chunks (the
   * bytes on the wire) and markers.
   */
  exportLog(id: string, format: 'text' | 'json' | 'pcap'): { name: string; mime: string; data: string; base64: boolean } {
    const s = this.get(id);
    const entries = this.logs.all(id);
    const info = this.infoOf(s);
    const name = `wirelab-${s.info.kind}`;
    // pcap takes the entries' bytes as they are; text and JSON need each entry's hex and text
    if (format === 'pcap')
      return { name: `${name}.pcap`, mime: 'application/vnd.tcpdump.pcap', data: Buffer.from(logToPcap(info, entries)).toString('base64'), base64: true };
    const all = entries.map((e) => this.eventOf(s, e, Infinity));
    if (format === 'text')
      return {
        name: `${name}.txt`,
        mime: 'text/plain',
        data: logToText(
          info,
          all.filter((e) => e.type !== 'message'),
        ),
        base64: false,
      };
    return { name: `${name}.json`, mime: 'application/json', data: logToJson(info, all), base64: false };
  }

  /**
   * When host:port is one of our own servers (UDP socket or TCP server bound there, or to the
   * wildcard), a reader of what it has received so far; otherwise null.
   */
  ownServer(proto: 'udp' | 'tcp', host: string, port: number): (() => { count: number; bytes: number }) | null {
    for (const s of this.sessions.values()) {
      const bound =
        s.udp && proto === 'udp' ? { a: s.udp.address, p: s.udp.port } : s.server && proto === 'tcp' ? { a: s.server.host, p: s.server.port } : null;
      if (!bound || bound.p !== port) continue;
      const wildcard = bound.a === '0.0.0.0' || bound.a === '::';
      if (wildcard || bound.a === host || (host === 'localhost' && (bound.a === '127.0.0.1' || bound.a === '::1'))) {
        return () => ({ count: s.info.received, bytes: s.info.receivedBytes });
      }
    }
    return null;
  }

  list(): SessionSummary[] {
    return [...this.sessions.values()].map((s) => this.summaryOf(s));
  }

  private summaryOf(s: Session): SessionSummary {
    const clients = s.server
      ? [...s.server.clients.values()].map((c) => ({ peer: c.peer, since: c.connectedAt, bytesIn: c.bytesIn, bytesOut: c.bytesOut }))
      : [];
    return {
      ...this.infoOf(s),
      framing: s.framing,
      framingIn: s.framingIn,
      framingOut: s.framingOut,
      encoding: s.encoding,
      openedAt: s.openedAt,
      messagesIn: s.messagesIn,
      clients,
      repeating: !!s.repeat && !s.repeat.stopped,
    };
  }

  private infoOf(s: Session): SessionInfo {
    if (s.kernelDrops) s.info.kernelDropped = s.kernelDrops();
    return { ...s.info, timedOutRules: [...s.info.timedOutRules] };
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((id) => this.close(id)));
  }
}
