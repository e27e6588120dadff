import { WirelabError } from '../contract/errors.ts';
import type { OpenSession } from '../contract/sender.ts';
import type { Framing } from '../sender/framing.ts';
import { parseEscaped, toHex, type TextEncoderFn } from '../sender/payload.ts';

/**
 * Export to Python (issue 13, item 6): a session as a runnable Python 3 program in the course
 * notes' style — `socket`, `struct.pack`, `json`, `socketserver` — that does what the session
 * does: a client sends the same payloads with the same framing and prints what it receives,
 * decoded the same way; a server runs the same responder. Pure: the caller passes the text
 * encoder (GBK needs iconv) and the payloads the session sent (from its log).
 *
 * Byte-compatible on purpose: a JSON header is written as JSON.stringify writes it
 * (`separators=(',', ':')`, `ensure_ascii=False`), so Wirelab and the export put the same bytes
 * on the wire and a test can compare them.
 */

export interface ExportPayload {
  /** The message before framing (what the composer built). */
  bytes: Uint8Array;
  /** header-json: the header fields beside the size key. */
  header?: Record<string, unknown>;
  /** UDP: where it went. */
  to?: { host: string; port: number };
}

export interface ExportOptions {
  encode: TextEncoderFn;
  /** A client's payloads, in order (the session's outgoing messages). */
  payloads?: ExportPayload[];
  /** How long the client reads after its last send, in seconds (it stops early when the peer closes). */
  waitSeconds?: number;
}

/** A Python str literal: a JSON string is one (JSON.stringify never writes `\/`). */
const py = (s: string): string => JSON.stringify(s);
const pyBytes = (b: Uint8Array): string => (b.length === 0 ? "b''" : `bytes.fromhex('${toHex(b)}')`);

/** Text a student can read (`"hello".encode('utf-8')`) when the bytes are plain UTF-8, hex otherwise. */
function pyData(b: Uint8Array): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    return pyBytes(b);
  }
  // eslint-disable-next-line no-control-regex -- control characters other than line endings and tabs read better as hex
  return b.length && !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text) ? `${py(text)}.encode('utf-8')` : pyBytes(b);
}
const pyEncoding = (e: 'utf8' | 'gbk'): string => (e === 'gbk' ? "'gbk'" : "'utf-8'");

function structFormat(bytes: 1 | 2 | 4 | 8, endian: 'be' | 'le'): string {
  // the notes' struct.pack('i', n) is '<i' on x86: written with its byte order so the program means the same on any machine
  const letter = { 1: 'B', 2: 'H', 4: 'i', 8: 'Q' }[bytes];
  return `${endian === 'le' ? '<' : '>'}${letter}`;
}

/** Python that frames `body` (bytes) with `header` (a dict) for sending. */
function sendCode(f: Framing): string {
  switch (f.kind) {
    case 'raw':
      return 'def frame(body, header=None):\n    return body';
    case 'delimiter':
      return `DELIMITER = ${py(f.delimiter)}.encode('utf-8')\n\ndef frame(body, header=None):\n    return body + DELIMITER`;
    case 'fixed':
      return `FRAME_SIZE = ${f.size}\n\ndef frame(body, header=None):\n    # a fixed-size frame: padded with zero bytes\n    return body.ljust(FRAME_SIZE, b'\\0')`;
    case 'length':
      return `def frame(body, header=None):\n    return struct.pack('${structFormat(f.bytes, f.endian)}', len(body)${f.includesPrefix ? ` + ${f.bytes}` : ''}) + body`;
    case 'header-json':
      return [
        `SIZE_KEY = ${py(f.sizeKey)}`,
        '',
        'def frame(body, header=None):',
        "    # the notes' header protocol: struct.pack('i', len(head)) + JSON head + body",
        '    head = dict(header or {})',
        '    head[SIZE_KEY] = len(body)',
        "    head_bytes = json.dumps(head, separators=(',', ':'), ensure_ascii=False).encode('utf-8')",
        "    return struct.pack('<i', len(head_bytes)) + head_bytes + body",
      ].join('\n');
  }
}

/** Python that reads one message from a Reader: (header or None, body), or None when the peer closed. */
function recvCode(f: Framing): string {
  const lines = ['def read_message(reader):'];
  switch (f.kind) {
    case 'raw':
      lines.push(
        '    # raw: one recv() is one message, as the kernel hands it over (the sticky-packet lesson)',
        '    data = reader.some()',
        '    return None if data is None else (None, data)',
      );
      break;
    case 'delimiter':
      lines.push(`    data = reader.until(${py(f.delimiter)}.encode('utf-8'))`, '    return None if data is None else (None, data)');
      break;
    case 'fixed':
      lines.push(`    data = reader.exact(${f.size})`, '    return None if data is None else (None, data)');
      break;
    case 'length':
      lines.push(
        `    prefix = reader.exact(${f.bytes})`,
        '    if prefix is None:',
        '        return None',
        `    n = struct.unpack('${structFormat(f.bytes, f.endian)}', prefix)[0]${f.includesPrefix ? ` - ${f.bytes}` : ''}`,
        '    data = reader.exact(n)',
        '    return None if data is None else (None, data)',
      );
      break;
    case 'header-json':
      lines.push(
        '    prefix = reader.exact(4)',
        '    if prefix is None:',
        '        return None',
        "    head_len = struct.unpack('<i', prefix)[0]",
        '    head_bytes = reader.exact(head_len)',
        '    if head_bytes is None:',
        '        return None',
        "    header = json.loads(head_bytes.decode('utf-8'))",
        `    # a header without the size key announces an empty body (the FTP download request)`,
        `    data = reader.exact(int(header.get(${py(f.sizeKey)}, 0)))`,
        '    return None if data is None else (header, data)',
      );
      break;
  }
  return lines.join('\n');
}

const readerCode = `class Reader:
    """Bytes from a socket with a buffer: TCP keeps no message boundaries, so read exactly what the framing says."""

    def __init__(self, conn):
        self.conn = conn
        self.buf = b''

    def fill(self):
        chunk = self.conn.recv(65536)
        if not chunk:
            return False
        self.buf += chunk
        return True

    def some(self):
        if not self.buf and not self.fill():
            return None
        data, self.buf = self.buf, b''
        return data

    def exact(self, n):
        while len(self.buf) < n:
            if not self.fill():
                return None
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def until(self, delimiter):
        while delimiter not in self.buf:
            if not self.fill():
                return None
        data, _, self.buf = self.buf.partition(delimiter)
        return data`;

const challengeCode = (algo: 'md5' | 'hmac-sha256', key: string) =>
  algo === 'md5'
    ? `SECRET_KEY = ${py(key)}.encode('utf-8')\n\ndef challenge_answer(randbytes):\n    md5 = hashlib.md5(SECRET_KEY)\n    md5.update(randbytes)\n    return md5.hexdigest().encode('utf-8')`
    : `SECRET_KEY = ${py(key)}.encode('utf-8')\n\ndef challenge_answer(randbytes):\n    return hmac.new(SECRET_KEY, randbytes, hashlib.sha256).hexdigest().encode('utf-8')`;

function header(title: string, spec: OpenSession): string {
  return `#!/usr/bin/env python3
"""${title}

Exported from Wirelab (a ${spec.kind} session). Run: python3 this_file.py
"""
import hashlib
import hmac
import json
import os
import socket
import socketserver
import struct
import sys
import threading

ENCODING = ${pyEncoding(spec.encoding)}
`;
}

function show(): string {
  return `def show(message, peer=''):
    header, body = message
    text = body.decode(ENCODING, errors='replace')
    line = json.dumps({'peer': peer, 'header': header, 'text': text, 'hex': body.hex()}, ensure_ascii=False)
    print(line, flush=True)`;
}

function clientProgram(spec: Extract<OpenSession, { kind: 'tcp-client' }>, o: ExportOptions): string {
  const out = spec.framingOut ?? spec.framing;
  const inn = spec.framingIn ?? spec.framing;
  const payloads = o.payloads ?? [];
  const parts = [
    header(`A TCP client to ${spec.host}:${spec.port} that sends ${payloads.length} message(s) and prints each reply.`, spec),
    `HOST, PORT = ${py(spec.host)}, ${spec.port}`,
    spec.bind ? `BIND = (${py(spec.bind.host ?? '0.0.0.0')}, ${spec.bind.port})` : 'BIND = None',
    `WAIT_SECONDS = ${o.waitSeconds ?? 1}`,
    `PAYLOADS = [\n${payloads.map((p) => `    (${pyData(p.bytes)}, ${p.header ? `json.loads(${py(JSON.stringify(p.header))})` : 'None'}),`).join('\n')}\n]`,
    '',
    sendCode(out),
    '',
    recvCode(inn),
    '',
    readerCode,
    '',
    show(),
    '',
  ];
  if (spec.answer) parts.push(challengeCode(spec.answer.algo, spec.answer.key), '');
  parts.push(`sk = socket.socket(socket.AF_INET6 if ':' in HOST else socket.AF_INET, socket.SOCK_STREAM)
if BIND:
    sk.bind(BIND)
sk.connect((HOST, PORT))
reader = Reader(sk)
${
  spec.answer
    ? `# client authentication (seed 001): answer the server's 32 random bytes
randbytes = reader.exact(32)
sk.sendall(challenge_answer(randbytes))
`
    : ''
}for body, head in PAYLOADS:
    sk.sendall(frame(body, head))
sk.settimeout(WAIT_SECONDS)
try:
    while True:
        message = read_message(reader)
        if message is None:
            break
        show(message)
except socket.timeout:
    pass
sk.close()
`);
  return parts.join('\n');
}

/** A reply rule as Python: the pattern for `re` (RE2's `(?<name>` is Python's `(?P<name>`). */
function rulesCode(rules: Extract<OpenSession, { kind: 'tcp-server' }>['rules']): string {
  const list = rules
    .map((r) => `    (${py(r.match)}, ${py(r.match === 'regex' ? r.pattern.replace(/\(\?<(?![=!])/g, '(?P<') : r.pattern)}, ${py(r.reply)}),`)
    .join('\n');
  return `import re

RULES = [
${list}
]

def expand(reply, m):
    # $1, $<name>, $& and $$ as Wirelab's rules (JavaScript's replace) fill them
    def one(g):
        what = g.group(1)
        if what == '$':
            return '$'
        if what == '&':
            return m.group(0)
        if what.startswith('<'):
            try:
                return m.group(what[1:-1]) or ''
            except (IndexError, error_type):
                return g.group(0)
        n = int(what[0])
        return (m.group(n) or '') + what[1:] if 1 <= n <= (m.re.groups) else g.group(0)
    return re.sub(r'\\$(\\$|&|<[^>]*>|\\d{1,2})', one, reply)

error_type = re.error

def reply_for(text):
    for kind, pattern, reply in RULES:
        if kind == 'exact' and text == pattern:
            return reply
        if kind == 'prefix' and text.startswith(pattern):
            return reply
        if kind == 'contains' and pattern in text:
            return reply
        if kind == 'regex':
            m = re.search(pattern, text)
            if m:
                return expand(reply, m)
    return None`;
}

function serverBody(spec: Extract<OpenSession, { kind: 'tcp-server' }>, o: ExportOptions): { setup: string; handle: string } {
  const inn = spec.framingIn ?? spec.framing;
  const greet = spec.greet ? parseEscaped(spec.greet, o.encode, 'greet') : new Uint8Array(0);
  const auth = spec.challenge
    ? `        # client authentication (seed 001): 32 random bytes, the answer compared as the notes do
        randbytes = os.urandom(32)
        conn.sendall(randbytes)
        answer = reader.exact(len(challenge_answer(randbytes)))
        if answer != challenge_answer(randbytes):
            print(json.dumps({'peer': peer, 'event': 'challenge refused'}), flush=True)
            conn.sendall(b'authentication failed\\n')
            return
        print(json.dumps({'peer': peer, 'event': 'challenge passed'}), flush=True)
`
    : '';
  const greetCode = greet.length ? `        conn.sendall(${pyBytes(greet)})  # the greeting, on connect\n` : '';
  let setup = '';
  let loop: string;
  switch (spec.reply) {
    case 'none':
    case 'echo':
    case 'fixed':
    case 'rules': {
      const fixed = spec.reply === 'fixed' ? parseEscaped(spec.replyText, o.encode, 'replyText') : null;
      if (spec.reply === 'rules') setup = rulesCode(spec.rules);
      const answer =
        spec.reply === 'echo'
          ? '            conn.sendall(frame(message[1]))  # echo, framed the same way'
          : spec.reply === 'fixed'
            ? `            conn.sendall(frame(${pyBytes(fixed!)}))  # the fixed reply`
            : spec.reply === 'rules'
              ? "            reply = reply_for(message[1].decode(ENCODING, errors='replace'))\n            if reply is not None:\n                conn.sendall(frame(reply.encode(ENCODING)))"
              : '';
      loop = `        while True:
            message = read_message(reader)
            if message is None:
                break
            show(message, peer)
${answer}`;
      break;
    }
    case 'relay': {
      // the words of Wirelab's own chat room (shared/sender/relay-text.ts), so a client cannot tell the two apart
      const lineFraming = inn.kind === 'delimiter';
      setup = `CLIENTS = {}  # conn -> (name, line ending)
LOCK = threading.Lock()
LINE_FRAMING = ${lineFraming ? 'True' : 'False'}

def say(conn, eol, text):
    if not text.endswith(('\\r', '\\n')):
        text += eol
    try:
        conn.sendall(frame(text.encode(ENCODING)))
    except OSError:
        pass

def broadcast(text, sender=None):
    # the chat room: a message goes to every client but its sender
    with LOCK:
        targets = [(c, eol) for c, (_, eol) in CLIENTS.items() if c is not sender]
    for c, eol in targets:
        say(c, eol, text)`;
      loop = `        name, eol = None, ''
        while name is None:
            first = read_message(reader)
            if first is None:
                return
            raw = first[1].decode(ENCODING, errors='replace')
            eol = '' if LINE_FRAMING else ('\\r\\n' if raw.endswith('\\r\\n') else '\\n' if raw.endswith('\\n') else '')
            wanted = raw.rstrip('\\r\\n').strip()
            with LOCK:
                taken = wanted in [n for n, _ in CLIENTS.values()]
            if not wanted or any(ord(ch) < 0x20 or ord(ch) == 0x7f for ch in wanted):
                say(conn, eol, '* send your name first (printable text)')
            elif len(wanted) > 32:
                say(conn, eol, '* a name is at most 32 characters; send another name')
            elif taken:
                say(conn, eol, '* the name %s is taken; send another name' % wanted)
            else:
                name = wanted
        with LOCK:
            others = [n for n, _ in CLIENTS.values()]
            CLIENTS[conn] = (name, eol)
        say(conn, eol, '* welcome, %s; %s' % (name, 'here: ' + ', '.join(others) if others else 'nobody else is here yet'))
        broadcast('* %s joined the room' % name, conn)
        try:
            while True:
                message = read_message(reader)
                if message is None:
                    break
                show(message, peer)
                broadcast('%s: %s' % (name, message[1].decode(ENCODING, errors='replace')), conn)
        finally:
            with LOCK:
                CLIENTS.pop(conn, None)
            broadcast('* %s left the room' % name)`;
      break;
    }
    case 'serve-dir':
      setup = `ROOT = ${py(spec.dir ?? '.')}

def plain_name(name):
    # one plain name in ROOT, as Wirelab's serve-dir accepts: no folder part, no "..", no NUL or ":"
    return isinstance(name, str) and name not in ('', '.', '..') and not any(ch in name for ch in '/\\\\\\0:')

def free_name(name):
    base, ext = os.path.splitext(name)
    candidate, i = name, 1
    while os.path.exists(os.path.join(ROOT, candidate)):
        candidate, i = '%s (%d)%s' % (base, i, ext), i + 1
    return candidate

def refuse(conn, code, message):
    # answered as a header with an empty body: the notes' client reads filesize 0 and writes nothing
    conn.sendall(frame(b'', {'error': code, 'message': message}))`;
      loop = `        while True:
            message = read_message(reader)
            if message is None:
                break
            header, body = message
            header = header or {}
            show(message, peer)
            operate, name = header.get('operate', ''), header.get('filename', '')
            if operate not in ('upload', 'download'):
                refuse(conn, 'FTP_BAD_REQUEST', 'the header says operate "%s"; serve-dir knows upload and download' % operate)
            elif name in (None, ''):
                refuse(conn, 'FTP_BAD_REQUEST', 'the %s header has no "filename"' % operate)
            elif not plain_name(name):
                refuse(conn, 'FTP_BAD_NAME', 'refused the file name %s: it climbs out of the folder or is not a plain name' % json.dumps(str(name)))
            elif operate == 'upload':
                # saved, and not answered: the notes' server answers nothing
                with open(os.path.join(ROOT, free_name(name)), 'wb') as f:
                    f.write(body)
            elif not os.path.isfile(os.path.join(ROOT, name)):
                refuse(conn, 'FTP_NOT_FOUND', 'download of %s: no such file in the folder' % name)
            else:
                with open(os.path.join(ROOT, name), 'rb') as f:
                    conn.sendall(frame(f.read()))`;
      break;
    case 'http-dir':
      setup = `import mimetypes
from urllib.parse import unquote, urlsplit

ROOT = os.path.realpath(${py(spec.dir ?? '.')})
REASONS = {200: 'OK', 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed'}

def respond(conn, status, body, content_type='text/plain; charset=utf-8', head_only=False):
    head = 'HTTP/1.1 %d %s\\r\\nContent-Type: %s\\r\\nContent-Length: %d\\r\\n\\r\\n' % (status, REASONS[status], content_type, len(body))
    conn.sendall(head.encode('latin-1') + (b'' if head_only else body))`;
      loop = `        while True:
            head = reader.until(b'\\r\\n\\r\\n')
            if head is None:
                break
            lines = head.decode('latin-1').split('\\r\\n')
            parts = lines[0].split(' ')
            headers = dict(l.split(':', 1) for l in lines[1:] if ':' in l)
            headers = {k.strip().lower(): v.strip() for k, v in headers.items()}
            body = reader.exact(int(headers.get('content-length', '0') or 0)) or b''
            print(json.dumps({'peer': peer, 'request': lines[0], 'headers': headers, 'body': body.decode('utf-8', errors='replace')}), flush=True)
            if len(parts) != 3 or not parts[2].startswith('HTTP/'):
                respond(conn, 400, b'not an HTTP request line\\n')
                break
            method, target = parts[0], parts[1]
            if method not in ('GET', 'HEAD'):
                respond(conn, 405, b'only GET and HEAD\\n')
                continue
            path = os.path.realpath(os.path.join(ROOT, unquote(urlsplit(target).path).lstrip('/')))
            if path != ROOT and not path.startswith(ROOT + os.sep):
                respond(conn, 403, b'outside the folder\\n')  # /../etc/passwd, encoded or not
            else:
                if os.path.isdir(path):
                    path = os.path.join(path, 'index.html')
                if os.path.isfile(path):
                    with open(path, 'rb') as f:
                        data = f.read()
                    kind = mimetypes.guess_type(path)[0] or 'application/octet-stream'
                    respond(conn, 200, data, kind, method == 'HEAD')
                else:
                    respond(conn, 404, b'not found\\n', head_only=method == 'HEAD')
            if headers.get('connection', '').lower() == 'close':
                break`;
      break;
  }
  return { setup, handle: `${greetCode}${auth}${loop}` };
}

function serverProgram(spec: Extract<OpenSession, { kind: 'tcp-server' }>, o: ExportOptions): string {
  const out = spec.framingOut ?? spec.framing;
  const inn = spec.framingIn ?? spec.framing;
  const { setup, handle } = serverBody(spec, o);
  const parts = [
    header(
      `A TCP server on ${spec.host}:${spec.port} (${spec.reply === 'none' ? 'prints what arrives' : `reply: ${spec.reply}`}${spec.challenge ? `, challenge ${spec.challenge.algo}` : ''}).`,
      spec,
    ),
    `HOST, PORT = ${py(spec.host)}, int(sys.argv[1]) if len(sys.argv) > 1 else ${spec.port}`,
    '',
    sendCode(out),
    '',
    recvCode(inn),
    '',
    readerCode,
    '',
    show(),
    '',
  ];
  if (spec.challenge) parts.push(challengeCode(spec.challenge.algo, spec.challenge.key), '');
  if (setup) parts.push(setup, '');
  parts.push(`class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        conn = self.request
        peer = '%s:%s' % self.client_address[:2]
        reader = Reader(conn)
${handle}


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    address_family = socket.AF_INET6 if ':' in HOST else socket.AF_INET


with Server((HOST, PORT), Handler) as server:
    print(json.dumps({'event': 'listening', 'port': server.server_address[1]}), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
`);
  return parts.join('\n');
}

function udpProgram(spec: Extract<OpenSession, { kind: 'udp' }>, o: ExportOptions): string {
  const out = spec.framingOut ?? spec.framing;
  const payloads = o.payloads ?? [];
  if (!['none', 'echo', 'fixed'].includes(spec.reply))
    throw new WirelabError('EXPORT_UNSUPPORTED', `a UDP session answering "${spec.reply}" has no Python export yet; export echo, fixed or none`, 'reply', {
      what: `UDP reply ${spec.reply}`,
    });
  const fixed = spec.reply === 'fixed' ? parseEscaped(spec.replyText, o.encode, 'replyText') : null;
  const reply =
    spec.reply === 'echo' ? '        sk.sendto(data, addr)  # echo' : fixed ? `        sk.sendto(frame(${pyBytes(fixed)}), addr)  # the fixed reply` : '';
  return [
    header(
      `A UDP socket on ${spec.host}:${spec.port}${payloads.length ? ` that sends ${payloads.length} datagram(s)` : ''} and prints every datagram it receives.`,
      spec,
    ),
    `HOST, PORT = ${py(spec.host)}, ${spec.port}`,
    `WAIT_SECONDS = ${payloads.length ? (o.waitSeconds ?? 1) : 'None'}`,
    `PAYLOADS = [\n${payloads.map((p) => `    (${pyData(p.bytes)}, ${p.header ? `json.loads(${py(JSON.stringify(p.header))})` : 'None'}, (${py(p.to?.host ?? '127.0.0.1')}, ${p.to?.port ?? 0})),`).join('\n')}\n]`,
    '',
    sendCode(out),
    '',
    `sk = socket.socket(socket.AF_INET6 if ':' in HOST else socket.AF_INET, socket.SOCK_DGRAM)
sk.bind((HOST, PORT))
print(json.dumps({'event': 'listening', 'port': sk.getsockname()[1]}), flush=True)
for body, head, to in PAYLOADS:
    sk.sendto(frame(body, head), to)
sk.settimeout(WAIT_SECONDS)
try:
    while True:
        data, addr = sk.recvfrom(65536)
        print(json.dumps({'peer': '%s:%s' % addr[:2], 'text': data.decode(ENCODING, errors='replace'), 'hex': data.hex()}, ensure_ascii=False), flush=True)
${reply}
except (socket.timeout, KeyboardInterrupt):
    pass
sk.close()
`,
  ].join('\n');
}

/** The session as a Python 3 program. */
export function exportPython(spec: OpenSession, o: ExportOptions): string {
  switch (spec.kind) {
    case 'tcp-client':
      return clientProgram(spec, o);
    case 'tcp-server':
      return serverProgram(spec, o);
    case 'udp':
      return udpProgram(spec, o);
  }
}
