import { answerFor } from '../sender/challenge.ts';
import { challengeBytes } from '../../../shared/sender/challenge.ts';
import { lookup } from 'node:dns/promises';
import { stat } from 'node:fs/promises';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { WirelabError } from '../../../shared/contract/errors.ts';
import { encodeFrame, FrameDecoder, type DecodedMessage, type Framing } from '../../../shared/sender/framing.ts';
import { RE2JS } from 're2js';
import {
  actionKeys,
  defaultStepTimeoutMs,
  indexOfBytes,
  scriptFramings,
  stepAction,
  type Script,
  type ScriptRun,
  type StepResult,
} from '../../../shared/scripts/script.ts';
import { safeFileName } from '../../../shared/sender/save-name.ts';
import { endpointText } from '../../../shared/timeline/tcp-streams.ts';
import type { ScriptTranscript, TranscriptEnds } from '../../../shared/scripts/transcript.ts';
import { SaveWriter, type SavedBody } from '../sender/save-file.ts';
import { peerName, socketError, TcpClient } from '../sender/tcp-client.ts';
import { UdpSocket } from '../sender/udp-socket.ts';
import { decodeText, encodeText, type Encoding } from '../sender/text-codec.ts';

/** What a step shows of what it read. */
const gotPreview = 4096;

/** A step failed: its code (shared/contract/codes.ts) and the English, naming the step. */
class StepFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly got?: string,
  ) {
    super(message);
  }
}

/**
 * What arrived and is not yet used by a step. TCP with raw framing is a byte stream (an expect
 * searches it, as `recv` until the text shows up would); any other framing, and every UDP
 * datagram, is a queue of messages (an expect takes the next one). Bytes reach the decoder only
 * when a step asks for a message, so a challenge's 32 raw bytes before a framed conversation are
 * still there for an `answer` step.
 */
class Inbox {
  private pending: Uint8Array = new Uint8Array(0);
  private readonly messages: DecodedMessage[] = [];
  private wake: (() => void) | null = null;
  closed = false;
  error: WirelabError | null = null;
  private readonly decoder: FrameDecoder | null;

  constructor(
    readonly framing: Framing,
    readonly datagrams: boolean,
  ) {
    this.decoder = !datagrams && framing.kind !== 'raw' ? new FrameDecoder(framing) : null;
  }

  get streamMode(): boolean {
    return !this.datagrams && this.framing.kind === 'raw';
  }

  push(chunk: Uint8Array): void {
    if (this.datagrams) {
      if (this.framing.kind === 'raw') this.messages.push({ bytes: new Uint8Array(chunk) });
      else for (const m of new FrameDecoder(this.framing).push(chunk)) this.messages.push(m);
    } else {
      const grown = new Uint8Array(this.pending.length + chunk.length);
      grown.set(this.pending);
      grown.set(chunk, this.pending.length);
      this.pending = grown;
    }
    this.notify();
  }

  end(error: WirelabError | null): void {
    this.closed = true;
    this.error ??= error;
    this.notify();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** Waits for the next arrival (or the close), at most until `deadline`; false on timeout. */
  private async changed(deadline: number): Promise<boolean> {
    const left = deadline - performance.now();
    if (left <= 0) return false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arrived = await new Promise<boolean>((resolve) => {
      this.wake = () => resolve(true);
      timer = setTimeout(() => resolve(false), left);
    });
    clearTimeout(timer);
    this.wake = null;
    return arrived;
  }

  /** Stream mode: the unconsumed bytes. */
  get bytes(): Uint8Array {
    return this.pending;
  }

  consume(n: number): Uint8Array {
    const taken = this.pending.slice(0, n);
    this.pending = this.pending.slice(n);
    return taken;
  }

  /** Stream mode: waits until `test` finds what it wants in the unconsumed bytes (it returns how many to consume). */
  async until(test: (bytes: Uint8Array) => number, deadline: number, what: string): Promise<Uint8Array> {
    for (;;) {
      const n = test(this.pending);
      if (n >= 0) return this.consume(n);
      if (this.closed) throw this.closedFailure(what);
      if (!(await this.changed(deadline))) throw new StepFailure('SCRIPT_TIMEOUT', `no ${what} before the timeout`);
    }
  }

  /** Message mode: the next whole message the incoming framing cuts out. */
  async next(deadline: number, what: string): Promise<DecodedMessage> {
    for (;;) {
      if (this.decoder && this.pending.length) {
        const chunk = this.consume(this.pending.length);
        this.messages.push(...this.decoder.push(chunk));
        const problem = this.decoder.problem;
        if (problem) throw new StepFailure(problem.code, problem.message);
      }
      const m = this.messages.shift();
      if (m) return m;
      if (this.closed) throw this.closedFailure(what);
      if (!(await this.changed(deadline))) throw new StepFailure('SCRIPT_TIMEOUT', `no ${what} before the timeout`);
    }
  }

  /** Raw bytes outside the framing (a challenge): from the stream, or one datagram. */
  async raw(n: number, deadline: number, what: string): Promise<Uint8Array> {
    if (this.datagrams) return (await this.next(deadline, what)).bytes;
    return this.until((b) => (b.length >= n ? n : -1), deadline, what);
  }

  private closedFailure(what: string): StepFailure {
    if (this.error) return new StepFailure(this.error.code, `${this.error.message} before ${what} arrived`);
    return new StepFailure('SCRIPT_PEER_CLOSED', `the peer closed the connection before ${what} arrived`);
  }
}

interface Link {
  send(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
  ends: TranscriptEnds;
}

/** What went and came on the link, as it happened (the transcript's recorder). */
type Tap = (dir: 'in' | 'out', bytes: Uint8Array, peer: string) => void;

/**
 * A wildcard-bound UDP socket's source address as the kernel picks it for a loopback peer
 * (the route to 127.0.0.0/8 says src 127.0.0.1), so the pcap shows a real conversation.
 */
function udpLocal(address: string, port: number, remote: string): string {
  const wildcard = address === '0.0.0.0' || address === '::';
  const loop = remote.startsWith('127.') ? '127.0.0.1' : remote === '::1' ? '::1' : null;
  return endpointText(wildcard && loop ? loop : address, port);
}

/**
 * One name lookup, so every datagram goes to the same address and the transcript can name it.
 * IPv4 unless the host is an IPv6 literal, as the sender's UDP session resolves (a udp4 socket's
 * dgram lookup): where `localhost` lists ::1 first (Windows, macOS), an unqualified lookup would
 * bind :: and send to ::1, past a peer listening on 127.0.0.1. A name that does not resolve is
 * the same worded socket error (ENOTFOUND, EAI_AGAIN) the send itself would have given.
 */
async function udpAddress(host: string, port: number): Promise<string> {
  if (isIP(host)) return host;
  try {
    return (await lookup(host, { family: 4 })).address;
  } catch (e) {
    const to = peerName(host, port);
    throw socketError(e as NodeJS.ErrnoException, `send to ${to}`, 'send', to);
  }
}

async function connect(script: Script, inbox: Inbox, tap: Tap): Promise<Link> {
  const c = script.connect;
  if (c.kind === 'tcp') {
    const client = await TcpClient.connect({ host: c.host, port: c.port, timeoutMs: c.timeoutMs });
    const remote = endpointText(client.remote.address, client.remote.port);
    client.socket.on('data', (chunk: Buffer) => {
      tap('in', chunk, remote);
      inbox.push(chunk);
    });
    client.socket.on('end', () => inbox.end(null));
    client.socket.on('error', (err: NodeJS.ErrnoException) =>
      inbox.end(new WirelabError(err.code ?? 'SOCKET_ERROR', `${err.code ?? 'error'} on the connection`)),
    );
    client.socket.on('close', () => inbox.end(null));
    return {
      // recorded once the kernel has the bytes: a write the peer's RST refused was never sent
      send: async (bytes) => {
        await client.write(bytes);
        tap('out', bytes, remote);
      },
      close: async () => client.close(),
      ends: { kind: 'tcp', local: endpointText(client.local.address, client.local.port), remote },
    };
  }
  const address = await udpAddress(c.host, c.port);
  const remote = endpointText(address, c.port);
  const udp = await UdpSocket.bind({ host: address.includes(':') ? '::' : '0.0.0.0', port: 0 }, (bytes, from) => {
    tap('in', bytes, endpointText(from.address, from.port));
    inbox.push(bytes);
  });
  return {
    send: async (bytes) => {
      await udp.send(bytes, address, c.port);
      tap('out', bytes, remote);
    },
    close: () => udp.close(),
    ends: { kind: 'udp', local: udpLocal(udp.address, udp.port, address), remote },
  };
}

/** A name in `dir` that does not exist yet: `a.bin`, then `a (1).bin`, … */
/**
 * A `save` step's body, through the save dir's own writer (save-file.ts): `NAME.part` renamed
 * when complete, SHA-256 while writing, a free variant of a name that exists, and the save
 * dir's named errors (SAVE_DISK_FULL, SAVE_NOT_PERMITTED …).
 */
async function saveBody(dir: string, wanted: string, body: Uint8Array): Promise<SavedBody> {
  let failure: WirelabError | null = null;
  const writer = new SaveWriter(dir, wanted, false, (e) => (failure = e));
  writer.write(body);
  const saved = await writer.finish();
  if (!saved) throw failure ?? new WirelabError('SAVE_FAILED', `saving ${wanted} in ${dir} failed`, 'save', { name: wanted, dir, errno: 'EIO' });
  return saved;
}

export interface RunOptions {
  /** Each step's result as soon as it is known (the CLI prints them, the service publishes them). */
  onStep?: (r: StepResult) => void;
  /** A step begins (the view marks it as running). */
  onStepStart?: (s: { step: number; round: number; action: StepResult['action'] }) => void;
  /** Where every chunk sent and received goes, with the step it belongs to (the service's run, the CLI's --pcap). */
  transcript?: ScriptTranscript;
  /** Ends the run early (the service's stop, the CLI's Ctrl+C). */
  signal?: AbortSignal;
}

/**
 * Runs one script on one connection: connect, then each step in order, `repeat` times. The
 * first failing step ends the run (the later steps depend on it: an expect that failed has left
 * the stream out of step), and the connection is closed whatever happens.
 */
export async function runScript(script: Script, options: RunOptions = {}): Promise<ScriptRun> {
  const started = performance.now();
  const results: StepResult[] = [];
  const encoding: Encoding = script.connect.encoding;
  const encode = (t: string) => encodeText(t, encoding);
  const { framingIn, framingOut } = scriptFramings(script.connect);
  const inbox = new Inbox(framingIn, script.connect.kind === 'udp');
  const report = (r: StepResult) => {
    results.push(r);
    options.onStep?.(r);
  };
  let link: Link | null = null;
  const onAbort = () => inbox.end(new WirelabError('SCRIPT_STOPPED', 'the run was stopped'));
  options.signal?.addEventListener('abort', onAbort, { once: true });
  // bytes belong to the step running when they went or came (a reply that arrives during a
  // `wait` is that wait's; the expect after it finds it in the inbox)
  const at = { step: -1, round: 1 };
  const transcript = options.transcript;
  const tap: Tap = transcript
    ? (dir, bytes, peer) => transcript.add({ step: at.step, round: at.round, dir, at: Date.now(), peer, bytes: new Uint8Array(bytes) })
    : () => undefined;
  try {
    link = await connect(script, inbox, tap);
    if (transcript) transcript.ends = link.ends;
  } catch (e) {
    const err = e instanceof WirelabError ? e : new WirelabError('SOCKET_ERROR', (e as Error).message);
    report({ step: -1, round: 1, action: 'send', ok: false, ms: performance.now() - started, error: `connect: ${err.message}`, code: err.code });
    return { ok: false, ms: performance.now() - started, steps: results };
  }
  try {
    for (let round = 1; round <= script.repeat; round++) {
      for (const [i, step] of script.steps.entries()) {
        const t0 = performance.now();
        const key = actionKeys.find((k) => step[k] !== undefined)!;
        const deadline = t0 + (step.timeoutMs ?? defaultStepTimeoutMs);
        let got: string | undefined;
        at.step = i;
        at.round = round;
        options.onStepStart?.({ step: i, round, action: key });
        try {
          if (options.signal?.aborted) throw new StepFailure('SCRIPT_STOPPED', 'the run was stopped');
          got = await runStep(stepAction(step, encode), { link, inbox, framingOut, encoding, deadline, round, index: i });
          report({ step: i, round, action: key, ok: true, ms: performance.now() - t0, error: null, code: null, ...(got !== undefined ? { got } : {}) });
        } catch (e) {
          const f =
            e instanceof StepFailure ? e : e instanceof WirelabError ? new StepFailure(e.code, e.message) : new StepFailure('SCRIPT_IO', (e as Error).message);
          report({
            step: i,
            round,
            action: key,
            ok: false,
            ms: performance.now() - t0,
            error: `steps[${i}].${key}: ${f.message}`,
            code: f.code,
            ...(f.got !== undefined ? { got: f.got } : {}),
          });
          return { ok: false, ms: performance.now() - started, steps: results };
        }
      }
    }
    return { ok: true, ms: performance.now() - started, steps: results };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await link.close();
  }
}

interface StepContext {
  link: Link;
  inbox: Inbox;
  framingOut: Framing;
  encoding: Encoding;
  deadline: number;
  round: number;
  index: number;
}

/** One step; resolves with what it read (for the result's `got`), throws a StepFailure. */
async function runStep(a: ReturnType<typeof stepAction>, c: StepContext): Promise<string | undefined> {
  const show = (bytes: Uint8Array) => decodeText(bytes.subarray(0, gotPreview), c.encoding);
  switch (a.action) {
    case 'send':
      await c.link.send(encodeFrame(c.framingOut, a.bytes, a.header));
      return undefined;
    case 'wait':
      await new Promise((r) => setTimeout(r, a.ms));
      return undefined;
    case 'expect': {
      if (c.inbox.streamMode) {
        try {
          return show(
            await c.inbox.until(
              (b) => {
                const at = indexOfBytes(b, a.bytes);
                return at < 0 ? -1 : at + a.bytes.length;
              },
              c.deadline,
              `"${a.shown}"`,
            ),
          );
        } catch (e) {
          throw withGot(e, show(c.inbox.bytes));
        }
      }
      const m = await c.inbox.next(c.deadline, `"${a.shown}"`);
      if (indexOfBytes(m.bytes, a.bytes) < 0) throw new StepFailure('SCRIPT_MISMATCH', `the next message does not contain "${a.shown}"`, show(m.bytes));
      return show(m.bytes);
    }
    case 'expectRegex': {
      // RE2 (re2js), as the reply rules: linear time, so no reply can make a pattern backtrack for minutes
      const re = RE2JS.compile(a.pattern);
      if (c.inbox.streamMode) {
        try {
          return show(
            await c.inbox.until(
              (b) => {
                const text = decodeText(b, c.encoding);
                const m = re.matcher(text);
                return m.find() ? encodeText(text.slice(0, m.end()), c.encoding).length : -1;
              },
              c.deadline,
              `a match of /${a.pattern}/`,
            ),
          );
        } catch (e) {
          throw withGot(e, show(c.inbox.bytes));
        }
      }
      const m = await c.inbox.next(c.deadline, `a match of /${a.pattern}/`);
      if (!re.matcher(decodeText(m.bytes, c.encoding)).find())
        throw new StepFailure('SCRIPT_MISMATCH', `the next message does not match /${a.pattern}/`, show(m.bytes));
      return show(m.bytes);
    }
    case 'answer': {
      const challenge = await c.inbox.raw(challengeBytes, c.deadline, 'the 32-byte challenge');
      const answer = answerFor({ algo: a.algo, key: a.key }, challenge);
      // raw, outside the framing: the notes' server reads it with conn.recv(32)
      await c.link.send(answer);
      return `${a.algo} ${new TextDecoder().decode(answer)}`;
    }
    case 'save': {
      let body: Uint8Array;
      let wanted: string | null = null;
      if (c.inbox.streamMode) {
        // raw framing has no boundaries: the body is everything until the peer closes (the notes' basic download)
        try {
          await c.inbox.until(() => -1, c.deadline, 'the end of the body');
        } catch (e) {
          if (!(e instanceof StepFailure) || e.code !== 'SCRIPT_PEER_CLOSED') throw e;
        }
        body = c.inbox.consume(c.inbox.bytes.length);
      } else {
        const m = await c.inbox.next(c.deadline, 'a body to save');
        body = m.bytes;
        if (typeof m.header?.filename === 'string') wanted = safeFileName(m.header.filename).name;
      }
      const dirOk = await stat(a.dir).then(
        (s) => s.isDirectory(),
        () => false,
      );
      if (!dirOk) throw new StepFailure('SCRIPT_SAVE_DIR', `${a.dir} is not a folder`);
      const saved = await saveBody(a.dir, wanted ?? `body-${c.round}-${c.index}.bin`, body);
      return `saved ${saved.name} (${saved.bytes.toLocaleString('en-US')} bytes, sha256 ${saved.sha256})`;
    }
  }
}

function withGot(e: unknown, got: string): unknown {
  return e instanceof StepFailure ? new StepFailure(e.code, e.message, got) : e;
}
