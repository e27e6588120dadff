import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { WirelabError } from '../../shared/contract/errors.ts';
import { checkHost, checkPort, parseBind } from '../../shared/sender/endpoint.ts';
import type { OpenSession, SenderEvent } from '../../shared/contract/sender.ts';
import { exportPython } from '../../shared/export/python.ts';
import { parseChallengeSpec } from '../../shared/sender/challenge.ts';
import { parseHeaderFields } from '../../shared/sender/header-fields.ts';
import { parseHex, toHex } from '../../shared/sender/payload.ts';
import { splitEndpoint } from '../../shared/timeline/tcp-streams.ts';
import { EventHub } from '../core/event-hub.ts';
import { runGenerator } from '../services/sender/generator.ts';
import type { FileSent } from '../services/sender/responders/responder.ts';
import { SenderService } from '../services/sender/sender-service.ts';
import { decodeText, encodeText, type Encoding } from '../services/sender/text-codec.ts';
import { UsageError, type CliIo } from './cli-io.ts';
import { sessionOptions, sessionOptionsHelp, sessionSettings, sessionUsage } from './session-options.ts';

export const sendHelp = `wirelab send <tcp|udp> <host> <port> [data] [--hex | --file F] [--header JSON]
             ${sessionUsage('encoding', 'frame', 'frame-in', 'frame-out', 'size-key')}
             ${sessionUsage('save-dir')} [--bind [HOST:]PORT] [--broadcast] [--wait MS] ${sessionUsage('json')}
             [--answer md5:KEY | hmac-sha256:KEY] ${sessionUsage('python')}

Sends data (framed as --frame says), waits up to MS ms (default 1000) for replies, stopping early
when the peer closes. With --json: {"sent", "chunks", "messages", "saved", "connectMs", "error"} —
chunks are the raw receives, messages what the framing decoded, saved the bodies written to DIR;
with --file over TCP also "file": {"name", "bytes", "sent", "size", "complete", "reason"}: sent is
what of the file's size the socket took (bytes adds the framing); a peer that closes or resets
mid-file is error SENDER_FILE_CUT, exit 1.

${sessionOptionsHelp}
--header adds fields to the JSON header beside the computed size, e.g.
'{"operate":"upload","filename":"a.bin"}'.
--file over TCP is streamed from disk in constant memory, any size, with progress on stderr.
--bind connects from a local address (TCP) or binds the UDP socket there; --broadcast sets
SO_BROADCAST so a UDP send to a broadcast address is allowed.
--answer (TCP) answers the server's 32-byte challenge first, as the course's authenticated client
does: md5(KEY + challenge) as 32 hex characters, or HMAC-SHA256 under KEY as 64; DATA is sent
after the answer. The chunks show the challenge as it arrived; a framing decodes what follows it.
--python prints the same exchange as a Python 3 program (socket, struct, json, as the course notes
write them) instead of running it.`;

export const listenHelp = `wirelab listen <tcp|udp> <port> [--host 127.0.0.1] [--echo | --reply DATA] [--greet TEXT]
               ${sessionUsage('encoding', 'frame', 'frame-in', 'frame-out', 'size-key')}
               ${sessionUsage('save-dir')} [--count N] [--timeout MS] ${sessionUsage('json', 'python')}
wirelab listen tcp <port> [--serve-dir DIR | --relay | --http-dir DIR] [--challenge md5:KEY | hmac-sha256:KEY]

Listens and prints one event per line with --json: listening, connection, message, close, notice.
Ends after N messages or MS milliseconds. --echo replies with each message, framed the same way.
--reply and --greet (sent raw to each TCP client on connect) take escapes: \\r\\n \\t \\0 \\xHH \\\\.

${sessionOptionsHelp}
Each body saved is printed as a notice {"event": "notice", "code": "SENDER_SAVED",
"params": {"name", "bytes", "sha256"}}.

The course's servers (TCP):
  --serve-dir DIR   the FTP homework: {"operate":"download","filename":F} is answered with
                    {"filesize":N} and the file; {"operate":"upload","filename":F,"filesize":N}
                    and N bytes are saved in DIR. Framing header-json with size key "filesize"
                    unless --frame says otherwise. ../ and unknown files are answered
                    {"error": CODE, "message": …}.
  --relay           a chat room: a client's first message is its name, later ones go to every
                    other client as "name: text"; joins and leaves are announced. --frame line
                    for clients that send lines.
  --http-dir DIR    an HTTP/1.1 static server (GET, HEAD, keep-alive); each request is printed
                    parsed as a notice; paths that climb out of DIR get 403.
  --challenge A:KEY 32 random bytes on connect; the client's answer (md5(KEY + challenge) hex, or
                    HMAC-SHA256 hex) is checked before the other responder hears anything.
--python prints this server as a Python 3 program (socketserver, struct, json) instead of running it.`;

export const blastHelp = `wirelab blast <udp|tcp> <host> <port> --count N [--size B] [--rate PPS] [--json]

Sends N packets of B bytes (default 8 for UDP, 131072 for TCP, as iperf3 writes) as fast as possible or at PPS per
second, and reports {"proto", "sent", "bytes", "seconds", "pps", "gbps"} (and "path": sendmmsg, dgram or tcp).
Unpaced UDP on Linux is sent with sendmmsg(2) in batches of 64; --portable forces Node's dgram.`;

function proto(value: string | undefined): 'tcp' | 'udp' {
  if (value === 'tcp' || value === 'udp') return value;
  throw new UsageError(`the first argument must be tcp or udp, not "${value ?? ''}"`);
}

function whole(flag: string, value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min) throw new UsageError(`${flag} must be a whole number${min ? ` of at least ${min}` : ''}, not "${value}"`);
  return Number(value);
}

/** Human-sized progress on stderr, at most once a second and once at the end. */
function progressPrinter(io: CliIo, name: string): (bytes: number, size: number) => void {
  let last = 0;
  return (bytes, size) => {
    const now = Date.now();
    if (bytes < size && now - last < 1000) return;
    last = now;
    const pct = size ? Math.floor((bytes / size) * 100) : 100;
    io.err(`sending ${name}: ${pct}% (${bytes.toLocaleString('en-US')} of ${size.toLocaleString('en-US')} bytes)`);
  };
}

const view = (bytes: Uint8Array, encoding: Encoding) => ({ hex: toHex(bytes), text: decodeText(bytes, encoding) });
const messageView = (m: { bytes: Uint8Array; header?: Record<string, unknown> | undefined }, encoding: Encoding) =>
  m.header ? { ...view(m.bytes, encoding), header: m.header } : view(m.bytes, encoding);

export async function sendCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...sessionOptions,
      hex: { type: 'boolean' },
      file: { type: 'string' },
      header: { type: 'string' },
      bind: { type: 'string' },
      broadcast: { type: 'boolean' },
      wait: { type: 'string' },
      answer: { type: 'string' },
    },
  });
  const [p, hostArg, portArg, data, ...extra] = positionals;
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}" (quote data that contains spaces)`);
  const kind = proto(p);
  if (hostArg === undefined || portArg === undefined) throw new UsageError('send needs a host and a port (try wirelab send --help)');
  const host = checkHost(hostArg);
  const port = checkPort(portArg);
  const { encoding, framing, framingIn, framingOut, save, json, python } = sessionSettings(values);
  const header = values.header === undefined ? undefined : parseHeaderFields(values.header, '--header');
  const bind = values.bind === undefined ? undefined : parseBind(values.bind, 'bind');
  if (values.broadcast && kind !== 'udp') throw new UsageError('--broadcast is for UDP (SO_BROADCAST)');
  const waitMs = whole('--wait', values.wait, 1000);
  const answer = values.answer === undefined ? undefined : parseChallengeSpec(values.answer, 'answer');
  if (answer && kind !== 'tcp') throw new UsageError('--answer: a challenge is answered on a TCP connection');
  if (values.hex && values.file) throw new UsageError('give --hex or --file, not both');
  if (values.file && data !== undefined) throw new UsageError('give data or --file, not both');
  // TCP streams a file from disk; a UDP datagram is small enough to read whole (64 KiB at most)
  const streamFile = values.file !== undefined && kind === 'tcp';
  let payload: Uint8Array = new Uint8Array(0);
  if (values.file && !streamFile) {
    try {
      payload = readFileSync(values.file);
    } catch (e) {
      throw new UsageError(`--file: cannot read ${values.file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  } else if (!values.file) payload = values.hex ? parseHex(data ?? '', 'data') : encodeText(data ?? '', encoding);

  if (python) {
    // --python: the same session as a Python program (shared/export/python.ts), printed instead of run
    if (streamFile) throw new UsageError('--python: give the data inline or with --hex; a --file streamed over TCP is not written into the program');
    const spec: OpenSession =
      kind === 'tcp'
        ? {
            kind: 'tcp-client',
            host,
            port,
            framing,
            framingIn,
            framingOut,
            encoding,
            timeoutMs: Math.max(waitMs, 3000),
            overwrite: false,
            ...(answer ? { answer } : {}),
          }
        : {
            kind: 'udp',
            host: host.includes(':') ? '::' : '0.0.0.0',
            port: 0,
            framing,
            framingIn,
            framingOut,
            encoding,
            reply: 'none',
            replyText: '',
            rules: [],
            greet: '',
            overwrite: false,
          };
    io.out(
      exportPython(spec, {
        encode: (t) => encodeText(t, encoding),
        payloads: [{ bytes: payload, to: { host, port }, ...(header ? { header } : {}) }],
        waitSeconds: waitMs / 1000,
      }),
    );
    return 0;
  }

  // The app's own pipeline (SenderService): its framing, its explanations, its error codes.
  const hub = new EventHub();
  const service = new SenderService(hub);
  let sessionId: string | null = null;
  let connectMs: number | null = null;
  let error: { code: string; message: string } | null = null;
  let sent = 0;
  let file: FileSent | null = null;
  let finish: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => (finish = resolve));
  let answered: () => void = () => undefined;
  const challengeAnswered = new Promise<void>((resolve) => (answered = resolve));
  // The peer closing (FIN) or a socket error ends the wait; the first error is the one reported.
  hub.on('sender.event', (e) => {
    if (e.type === 'notice' && e.code === 'CHALLENGE_ANSWERED') answered();
    if (e.sessionId !== sessionId) return;
    if (e.type === 'error' && e.code) error ??= { code: e.code, message: e.message ?? e.code };
    if (e.type === 'notice' && e.code?.startsWith('SAVE_') && e.code !== 'SAVE_NAME_CHANGED') error ??= { code: e.code, message: e.message ?? e.code };
    if ((e.type === 'error' && !e.code?.startsWith('FRAME_')) || (e.type === 'close' && e.dir === null)) finish();
  });
  try {
    const common = { framing, framingIn, framingOut, encoding, reply: 'none' as const, replyText: '', rules: [], greet: '', ...save };
    const info =
      kind === 'tcp'
        ? await service.open({
            kind: 'tcp-client',
            host,
            port,
            timeoutMs: Math.max(waitMs, 3000),
            ...(bind ? { bind } : {}),
            ...(answer ? { answer } : {}),
            ...common,
          })
        : await service.open({ kind: 'udp', host: bind?.host ?? (host.includes(':') ? '::' : '0.0.0.0'), port: bind?.port ?? 0, ...common });
    sessionId = info.id;
    connectMs = info.connectMs;
    if (values.broadcast) service.udpOptions(info.id, { broadcast: true });
    // DATA goes after the answer (the server reads the answer first), or not at all when the server never challenges
    if (answer) {
      let waited: ReturnType<typeof setTimeout> | undefined;
      const gaveUp = await Promise.race([
        challengeAnswered.then(() => false),
        ended.then(() => true),
        new Promise<boolean>((resolve) => (waited = setTimeout(() => resolve(true), Math.max(waitMs, 3000)))),
      ]);
      clearTimeout(waited);
      if (gaveUp) error ??= { code: 'CHALLENGE_NONE', message: 'the server sent no 32-byte challenge to answer (is it challenging clients?)' };
      if (gaveUp) finish();
    }
    // no challenge came to answer: nothing is sent
    if (error === null && streamFile) {
      const path = values.file!;
      file = await service.sendFile(info.id, path, { header, onProgress: progressPrinter(io, path.split(/[\\/]/).at(-1) ?? path) });
      sent = file.bytes;
    } else if (error === null) {
      // Bytes the CLI already built (text, --hex or --file) travel as hex: taken literally, no macros.
      const body = { mode: 'hex', text: toHex(payload), encoding, lineEnding: 'none', ...(header ? { header } : {}) } as const;
      if (payload.length || framingOut.kind !== 'raw') sent = (await service.send(info.id, body, kind === 'udp' ? { host, port } : undefined)).bytes;
    }
    const timer = setTimeout(finish, waitMs);
    await ended;
    clearTimeout(timer);
    // a body that ended with the peer's FIN is still being renamed into place: let it finish
    await service.settle(info.id);
  } catch (e) {
    if (!(e instanceof WirelabError)) throw e;
    error ??= e.toData();
  }
  // Every byte from the session's log (the stream's events carry 4 KiB previews), copied out:
  // disposing closes the log, which gives its memory back for reuse (byte-slab.ts).
  const entries = (sessionId ? service.logs.all(sessionId) : []).map((e) => ({ ...e, bytes: e.bytes.slice() }));
  await service.dispose();
  const chunks = entries.filter((e) => e.type === 'chunk' && e.dir === 'in');
  const messages = framingIn.kind === 'raw' ? chunks : entries.filter((e) => e.type === 'message' && e.dir === 'in');
  const saved = entries.filter((e) => e.type === 'notice' && e.code === 'SENDER_SAVED').map((e) => e.params ?? {});
  // A file the peer cut short (or that shrank) is the failure to report, before the socket error that ended it.
  const cut = entries.find((e) => e.type === 'notice' && (e.code === 'SENDER_FILE_CUT' || e.code === 'SENDER_FILE_SHRANK'));
  if (cut?.code) error = { code: cut.code, message: cut.message ?? cut.code };
  const doc = {
    sent,
    ...(file ? { file: { name: basename(values.file!), ...file } } : {}),
    chunks: chunks.map((c) => view(c.bytes, encoding)),
    messages: messages.map((m) => messageView(m, encoding)),
    saved,
    connectMs,
    error: error as { code: string; message: string } | null,
  };
  if (json) io.out(JSON.stringify(doc));
  else {
    if (connectMs !== null) io.out(`connected in ${connectMs.toFixed(3)} ms`);
    io.out(`sent ${sent} bytes`);
    if (file)
      io.out(
        `file ${basename(values.file!)}: ${file.sent.toLocaleString('en-US')} of ${file.size.toLocaleString('en-US')} bytes written${file.complete ? '' : `, cut short (${file.reason ?? 'closed'})`}`,
      );
    for (const [i, c] of doc.chunks.entries()) io.out(`chunk ${i + 1} (${c.hex.length / 2} bytes): ${JSON.stringify(c.text)}`);
    if (framingIn.kind !== 'raw') for (const [i, m] of doc.messages.entries()) io.out(`message ${i + 1}: ${JSON.stringify(m.text)}`);
    for (const f of saved) io.out(`saved ${String(f['name'])} (${Number(f['bytes']).toLocaleString('en-US')} bytes, sha256 ${String(f['sha256'])})`);
  }
  if (doc.error) {
    io.err(`wirelab send: ${doc.error.message}`);
    return 1;
  }
  return 0;
}

export async function listenCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...sessionOptions,
      host: { type: 'string' },
      echo: { type: 'boolean' },
      reply: { type: 'string' },
      greet: { type: 'string' },
      count: { type: 'string' },
      timeout: { type: 'string' },
      'serve-dir': { type: 'string' },
      relay: { type: 'boolean' },
      'http-dir': { type: 'string' },
      challenge: { type: 'string' },
    },
  });
  const [p, portArg, ...extra] = positionals;
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const kind = proto(p);
  if (portArg === undefined) throw new UsageError('listen needs a port (0 for any free one)');
  const port = checkPort(portArg, 'port', true);
  const host = checkHost(values.host ?? '127.0.0.1');
  const modes = (['echo', 'reply', 'serve-dir', 'relay', 'http-dir'] as const).filter((m) => values[m] !== undefined && values[m] !== false);
  if (modes.length > 1) throw new UsageError(`give one of --${modes.join(', --')}, not several`);
  const challenge = values.challenge === undefined ? undefined : parseChallengeSpec(values.challenge, 'challenge');
  // The FTP homework's header names its size "filesize" (seed 001): serve-dir's default framing
  const { encoding, framing, framingIn, framingOut, save, json, python } = sessionSettings(
    values,
    values['serve-dir'] !== undefined ? { frame: 'header-json', sizeKey: 'filesize' } : undefined,
  );
  const count = whole('--count', values.count, 0);
  const timeout = whole('--timeout', values.timeout, 0);
  const emit = (event: Record<string, unknown>, human: string) => io.out(json ? JSON.stringify(event) : human);

  // The app's own server (SenderService): its framing, replies, frame budget and codes.
  const hub = new EventHub();
  const service = new SenderService(hub);
  let messages = 0;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  let sessionId: string | null = null;
  const early: SenderEvent[] = [];
  const show = (e: SenderEvent) => {
    const peer = e.peer ?? '?';
    if (e.type === 'client-open') emit({ event: 'connection', peer }, `${peer} connected`);
    else if (e.type === 'client-close') emit({ event: 'close', peer }, `${peer} closed`);
    else if (e.type === 'error') emit({ event: 'error', peer, code: e.code, message: e.message }, `${peer}: ${e.message ?? e.code}`);
    else if (e.type === 'notice') emit({ event: 'notice', peer, code: e.code, message: e.message, params: e.params ?? {} }, `${peer}: ${e.message ?? e.code}`);
    else if (e.dir === 'in' && (e.type === 'message' || (e.type === 'chunk' && framingIn.kind === 'raw'))) {
      // the whole message from the log (the event carries a 4 KiB preview)
      const m = service.entry(e.sessionId, e.seq);
      if (!m) return;
      const v = messageView(m, encoding);
      emit({ event: 'message', peer, ...v }, `${peer} → ${JSON.stringify(v.text)} (${m.bytes.length} bytes)`);
      if (count && ++messages >= count) finish();
    }
  };
  hub.on('sender.event', (e) => {
    if (sessionId === null) early.push(e);
    else if (e.sessionId === sessionId) show(e);
  });
  const answer: { reply: Extract<OpenSession, { kind: 'tcp-server' }>['reply']; replyText: string; dir?: string } = values.echo
    ? { reply: 'echo', replyText: '' }
    : values.reply !== undefined
      ? { reply: 'fixed', replyText: values.reply }
      : values['serve-dir'] !== undefined
        ? { reply: 'serve-dir', replyText: '', dir: values['serve-dir'] }
        : values['http-dir'] !== undefined
          ? { reply: 'http-dir', replyText: '', dir: values['http-dir'] }
          : values.relay
            ? { reply: 'relay', replyText: '' }
            : { reply: 'none', replyText: '' };
  const spec: OpenSession = {
    kind: kind === 'tcp' ? 'tcp-server' : 'udp',
    host,
    port,
    framing,
    framingIn,
    framingOut,
    encoding,
    ...answer,
    ...(challenge ? { challenge } : {}),
    rules: [],
    greet: values.greet ?? '',
    ...save,
  };
  if (python) {
    // --python: this server as a Python program (shared/export/python.ts), printed instead of run
    io.out(exportPython(spec, { encode: (t) => encodeText(t, encoding) }));
    return 0;
  }
  const info = await service.open(spec);
  const bound = splitEndpoint(info.local)!;
  emit({ event: 'listening', host: bound.host, port: bound.port }, `listening on ${kind.toUpperCase()} ${bound.host}:${bound.port}`);
  sessionId = info.id;
  for (const e of early.splice(0)) if (e.sessionId === sessionId) show(e);
  const timer = timeout ? setTimeout(finish, timeout) : null;
  await Promise.race([done, io.stopSignal]);
  if (timer) clearTimeout(timer);
  await service.settle(info.id);
  await service.dispose();
  return 0;
}

export async function blastCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { count: { type: 'string' }, size: { type: 'string' }, rate: { type: 'string' }, portable: { type: 'boolean' }, json: { type: 'boolean' } },
  });
  const [p, hostArg, portArg, ...extra] = positionals;
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const kind = proto(p);
  if (hostArg === undefined || portArg === undefined) throw new UsageError('blast needs a host and a port');
  const host = checkHost(hostArg);
  const port = checkPort(portArg);
  if (values.count === undefined) throw new UsageError('--count N is required (blast always stops by itself)');
  const count = whole('--count', values.count, 0, 1);
  // TCP writes default to 128 KiB, iperf3's own write size, so the two compare like for like.
  const size = whole('--size', values.size, kind === 'udp' ? 8 : 131072, 1);
  if (kind === 'udp' && size > 65507) throw new UsageError('--size: a UDP datagram carries at most 65,507 bytes over IPv4');
  const rate = values.rate === undefined ? 0 : whole('--rate', values.rate, 0, 1);
  const doc = await runGenerator({ proto: kind, host, port, count, size, rate, portable: values.portable === true });
  io.out(
    values.json
      ? JSON.stringify(doc)
      : `sent ${doc.sent} ${kind.toUpperCase()} packets (${doc.bytes} bytes) in ${doc.seconds.toFixed(3)} s: ${doc.pps} packets/s, ${doc.gbps} Gbit/s`,
  );
  return 0;
}
