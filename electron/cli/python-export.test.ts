import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createConnection, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exportPython } from '../../shared/export/python.ts';
import type { OpenSession } from '../../shared/contract/sender.ts';
import { runWirelab, startNode, stop, wirelabBin } from '../../test/support/spawn-cli.ts';
import { stopPeer } from '../../test/support/python-peer.ts';
import { tempDir } from '../../test/support/temp-dir.ts';

const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) await stopPeer(c);
});

const utf8 = (t: string) => new TextEncoder().encode(t);

/** Writes a program to a temp file and runs python3 on it to completion. */
async function runPython(program: string, args: string[] = [], timeoutMs = 20_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const file = join(await tempDir(), 'exported.py');
  await writeFile(file, program);
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [file, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => reject(new Error(`python timed out: ${stderr}`)), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts an exported server on port 0 and resolves with the port its first line announces. */
async function startPythonServer(program: string): Promise<number> {
  const file = join(await tempDir(), 'exported_server.py');
  await writeFile(file, program);
  const child = spawn('python3', [file, '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`no listening line: ${out} ${err}`)), 15_000);
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /"port": (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
}

/** A Node TCP echo server that records every byte of its latest connection. */
async function recorder(): Promise<{ port: number; bytes: () => Promise<Buffer>; close: () => void }> {
  let pending: Promise<Buffer> = Promise.resolve(Buffer.alloc(0));
  const server = createServer((sock) => {
    const got: Buffer[] = [];
    pending = new Promise((resolve) => sock.on('close', () => resolve(Buffer.concat(got))));
    sock.on('data', (d) => {
      got.push(d);
      sock.write(d);
    });
    sock.on('end', () => sock.end());
    sock.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, bytes: () => pending, close: () => server.close() };
}

function lines(stdout: string): Record<string, unknown>[] {
  return stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function connectLines(port: number): Promise<{ sock: Socket; lines: string[]; next: (n: number) => Promise<string[]> }> {
  return new Promise((resolve, reject) => {
    const sock = createConnection({ host: '127.0.0.1', port }, () => resolve({ sock, lines: got, next }));
    const got: string[] = [];
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString();
      const parts = buf.split('\n');
      buf = parts.pop()!;
      got.push(...parts);
    });
    sock.on('error', reject);
    const next = async (n: number) => {
      for (let i = 0; i < 200 && got.length < n; i++) await new Promise((r) => setTimeout(r, 25));
      return got.slice(0, n);
    };
  });
}

describe('export to Python: clients', () => {
  it.each([['header-json'], ['len32le'], ['line'], ['raw']])(
    '--frame %s: the exported client puts the same bytes on the wire as wirelab send, and prints the reply decoded',
    async (frame) => {
      const server = await recorder();
      try {
        const args = ['tcp', '127.0.0.1', String(server.port), '你好 hello', '--frame', frame, '--wait', '500'];
        const wirelab = await runWirelab(['send', ...args, '--json']);
        expect(wirelab.code).toBe(0);
        const fromWirelab = await server.bytes();
        const program = await runWirelab(['send', ...args, '--python']);
        expect(program.code).toBe(0);
        expect(program.stdout).toMatch(/^#!\/usr\/bin\/env python3\n/);
        const py = await runPython(program.stdout);
        expect(py.stderr).toBe('');
        const fromPython = await server.bytes();
        expect(fromPython.toString('hex')).toBe(fromWirelab.toString('hex'));
        // the recorder echoes: the program decodes what comes back the way Wirelab does
        const shown = lines(py.stdout)
          .map((l) => l.text)
          .join('');
        expect(shown).toBe('你好 hello');
      } finally {
        server.close();
      }
    },
  );

  it("the exported client talks to Wirelab's own server (wirelab listen --echo, len32le) and prints the echo", async () => {
    const { child, line } = await startNode([wirelabBin, 'listen', 'tcp', '0', '--echo', '--frame', 'len32le', '--json'], /listening/);
    try {
      const { port } = JSON.parse(line) as { port: number };
      const program = await runWirelab(['send', 'tcp', '127.0.0.1', String(port), 'ping', '--frame', 'len32le', '--python']);
      const py = await runPython(program.stdout);
      expect(lines(py.stdout)).toEqual([{ peer: '', header: null, text: 'ping', hex: '70696e67' }]);
    } finally {
      await stop(child);
    }
  });

  it('a client with --answer answers the challenge first (md5 of key + challenge, as the notes)', async () => {
    const spec: OpenSession = {
      kind: 'tcp-client',
      host: '127.0.0.1',
      port: 1,
      framing: { kind: 'raw' },
      encoding: 'utf8',
      timeoutMs: 5000,
      overwrite: false,
      answer: { algo: 'md5', key: 'alexbigs' },
    };
    // the exported challenge server, with the same key, checks it
    const serverSpec: OpenSession = {
      kind: 'tcp-server',
      host: '127.0.0.1',
      port: 0,
      framing: { kind: 'raw' },
      encoding: 'utf8',
      overwrite: false,
      reply: 'echo',
      replyText: '',
      rules: [],
      greet: '',
      challenge: { algo: 'md5', key: 'alexbigs' },
    };
    const port = await startPythonServer(exportPython(serverSpec, { encode: utf8 }));
    const py = await runPython(exportPython({ ...spec, port }, { encode: utf8, payloads: [{ bytes: utf8('after auth') }] }));
    expect(
      lines(py.stdout)
        .map((l) => l.text)
        .join(''),
    ).toBe('after auth');
  });
});

describe('export to Python: servers', () => {
  it.each([
    ['echo', 'len32le', {}, 'hi there', 'hi there'],
    ['fixed', 'line', { replyText: 'OK\\tdone' }, 'anything', 'OK\tdone'],
    ['rules', 'line', { rules: [{ match: 'regex', pattern: '^get (?<key>\\w+)$', reply: 'value of $<key> ($1)' }] }, 'get color', 'value of color (color)'],
  ] as const)('reply %s (%s): wirelab send gets the same answer from the export as from the responder', async (reply, frame, extra, sent, expected) => {
    const spec = {
      kind: 'tcp-server',
      host: '127.0.0.1',
      port: 0,
      framing: frame === 'line' ? { kind: 'delimiter', delimiter: '\n' } : { kind: 'length', bytes: 4, endian: 'le', includesPrefix: false },
      encoding: 'utf8',
      overwrite: false,
      reply,
      replyText: '',
      rules: [],
      greet: '',
      ...extra,
    } as OpenSession;
    const port = await startPythonServer(exportPython(spec, { encode: utf8 }));
    const r = await runWirelab(['send', 'tcp', '127.0.0.1', String(port), sent, '--frame', frame, '--wait', '1500', '--json']);
    const doc = JSON.parse(r.stdout) as { messages: { text: string }[] };
    expect(doc.messages.map((m) => m.text)).toEqual([expected]);
  });

  it('wirelab listen --echo --python is the same server: wirelab send reads byte-identical chunks from both', async () => {
    const program = await runWirelab(['listen', 'tcp', '0', '--echo', '--frame', 'header-json', '--python']);
    const port = await startPythonServer(program.stdout);
    const viaPython = JSON.parse(
      (await runWirelab(['send', 'tcp', '127.0.0.1', String(port), 'same bytes', '--frame', 'header-json', '--wait', '1000', '--json'])).stdout,
    ) as { chunks: { hex: string }[] };
    const { child, line } = await startNode([wirelabBin, 'listen', 'tcp', '0', '--echo', '--frame', 'header-json', '--json'], /listening/);
    try {
      const own = JSON.parse(line) as { port: number };
      const viaWirelab = JSON.parse(
        (await runWirelab(['send', 'tcp', '127.0.0.1', String(own.port), 'same bytes', '--frame', 'header-json', '--wait', '1000', '--json'])).stdout,
      ) as { chunks: { hex: string }[] };
      expect(viaPython.chunks.map((c) => c.hex).join('')).toBe(viaWirelab.chunks.map((c) => c.hex).join(''));
    } finally {
      await stop(child);
    }
  });

  // Wirelab's own challenge, relay, serve-dir and http-dir responders are being written on other
  // branches: these exports are checked against Wirelab's clients (wirelab run, wirelab http) and plain sockets.
  it('challenge: the exported server lets the right key in and refuses a wrong one (checked with wirelab run)', async () => {
    const spec: OpenSession = {
      kind: 'tcp-server',
      host: '127.0.0.1',
      port: 0,
      framing: { kind: 'raw' },
      encoding: 'utf8',
      overwrite: false,
      reply: 'echo',
      replyText: '',
      rules: [],
      greet: '',
      challenge: { algo: 'hmac-sha256', key: 'k3y' },
    };
    const port = await startPythonServer(exportPython(spec, { encode: utf8 }));
    const dir = await tempDir();
    const script = (key: string) =>
      JSON.stringify({ connect: { kind: 'tcp', host: '127.0.0.1', port }, steps: [{ answer: `hmac-sha256:${key}` }, { send: 'in' }, { expect: 'in' }] });
    await writeFile(join(dir, 'right.json'), script('k3y'));
    await writeFile(join(dir, 'wrong.json'), script('nope'));
    expect((await runWirelab(['run', join(dir, 'right.json'), '--json'])).code).toBe(0);
    const wrong = await runWirelab(['run', join(dir, 'wrong.json'), '--json']);
    expect(wrong.code).toBe(1);
    expect(JSON.parse(wrong.stdout)).toMatchObject({ ok: false, steps: [{ ok: true }, { ok: true }, { ok: false, got: 'authentication failed\n' }] });
  });

  /** Three clients in a chat room on `port`: what each one heard. */
  async function chat(port: number): Promise<string[][]> {
    const [a, b, c] = [await connectLines(port), await connectLines(port), await connectLines(port)];
    const pause = () => new Promise((r) => setTimeout(r, 150));
    a.sock.write('alice\n');
    await pause();
    b.sock.write('bob\n');
    await pause();
    c.sock.write('carol\n');
    await pause();
    a.sock.write('hello room\n');
    await b.next(3);
    c.sock.end();
    await a.next(4);
    const heard = [await a.next(4), await b.next(4), await c.next(2)];
    a.sock.destroy();
    b.sock.destroy();
    return heard;
  }

  it('relay: the exported chat room says to three clients exactly what wirelab listen --relay says', async () => {
    const spec: OpenSession = {
      kind: 'tcp-server',
      host: '127.0.0.1',
      port: 0,
      framing: { kind: 'delimiter', delimiter: '\n' },
      encoding: 'utf8',
      overwrite: false,
      reply: 'relay',
      replyText: '',
      rules: [],
      greet: '',
    };
    const exported = await chat(await startPythonServer(exportPython(spec, { encode: utf8 })));
    expect(exported).toEqual([
      ['* welcome, alice; nobody else is here yet', '* bob joined the room', '* carol joined the room', '* carol left the room'],
      ['* welcome, bob; here: alice', '* carol joined the room', 'alice: hello room', '* carol left the room'],
      ['* welcome, carol; here: alice, bob', 'alice: hello room'],
    ]);
    const { child, line } = await startNode([wirelabBin, 'listen', 'tcp', '0', '--relay', '--frame', 'line', '--json'], /listening/);
    try {
      expect(await chat((JSON.parse(line) as { port: number }).port)).toEqual(exported);
    } finally {
      await stop(child);
    }
  });

  it('serve-dir: upload then download over the header protocol (FTP homework), ../ refused (wirelab run)', async () => {
    const root = await tempDir();
    const spec: OpenSession = {
      kind: 'tcp-server',
      host: '127.0.0.1',
      port: 0,
      framing: { kind: 'header-json', sizeKey: 'filesize' },
      encoding: 'utf8',
      overwrite: false,
      reply: 'serve-dir',
      replyText: '',
      rules: [],
      greet: '',
      dir: root,
    };
    const port = await startPythonServer(exportPython(spec, { encode: utf8 }));
    const saveTo = join(await tempDir(), 'got');
    await mkdir(saveTo);
    const script = {
      connect: { kind: 'tcp', host: '127.0.0.1', port, frame: { kind: 'header-json', sizeKey: 'filesize' } },
      steps: [
        { send: 'file body', header: { operate: 'upload', filename: 'up.txt' } },
        { send: '', header: { operate: 'download', filename: 'up.txt' } },
        { save: saveTo },
        // a name that climbs out is refused with an empty body (its header says why)
        { send: '', header: { operate: 'download', filename: '../etc/passwd' } },
        { expectRegex: '^$' },
      ],
    };
    const dir = await tempDir();
    await writeFile(join(dir, 's.json'), JSON.stringify(script));
    const r = await runWirelab(['run', join(dir, 's.json'), '--json']);
    expect(r.code).toBe(0);
    expect(await readFile(join(root, 'up.txt'), 'utf8')).toBe('file body');
    // the download's header is {"filesize": N} alone, as the notes': the body is saved under a numbered name
    expect(await readdir(saveTo)).toEqual(['body-1-2.bin']);
    expect(await readFile(join(saveTo, 'body-1-2.bin'), 'utf8')).toBe('file body');
  });

  it('serve-dir download: the exported server and wirelab listen --serve-dir send the same bytes for the same request', async () => {
    const root = await tempDir();
    await writeFile(join(root, 'a.bin'), Buffer.from([0, 1, 2, 255, 10, 13]));
    const spec: OpenSession = {
      kind: 'tcp-server',
      host: '127.0.0.1',
      port: 0,
      framing: { kind: 'header-json', sizeKey: 'filesize' },
      encoding: 'utf8',
      overwrite: false,
      reply: 'serve-dir',
      replyText: '',
      rules: [],
      greet: '',
      dir: root,
    };
    const exportedPort = await startPythonServer(exportPython(spec, { encode: utf8 }));
    const { child, line } = await startNode([wirelabBin, 'listen', 'tcp', '0', '--serve-dir', root, '--json'], /listening/);
    try {
      const wirelabPort = (JSON.parse(line) as { port: number }).port;
      // with "filesize": 0, as Wirelab's own client frames it (this build's listen --serve-dir refuses a
      // download header without the size key with FRAME_BAD_HEADER; the export reads it as an empty body)
      const head = Buffer.from(JSON.stringify({ operate: 'download', filename: 'a.bin', filesize: 0 }));
      const frame = Buffer.concat([Buffer.from(Uint32Array.of(head.length).buffer), head]);
      const answer = (port: number) =>
        new Promise<string>((resolve) => {
          const sock = createConnection({ host: '127.0.0.1', port }, () => sock.write(frame));
          let got = Buffer.alloc(0);
          sock.on('data', (d) => {
            got = Buffer.concat([got, d]);
            if (got.length >= 4 && got.length >= 4 + got.readInt32LE(0) + 6) sock.destroy();
          });
          sock.on('close', () => resolve(got.toString('hex')));
        });
      const fromExport = await answer(exportedPort);
      expect(fromExport).toBe(
        Buffer.concat([Buffer.from(Uint32Array.of(14).buffer), Buffer.from('{"filesize":6}'), Buffer.from([0, 1, 2, 255, 10, 13])]).toString('hex'),
      );
      expect(await answer(wirelabPort)).toBe(fromExport);
    } finally {
      await stop(child);
    }
  });

  it('http-dir: wirelab http gets a file and a 404; a path that climbs out answers 403, never the file', async () => {
    const root = await tempDir();
    await writeFile(join(root, 'index.html'), '<p>tiny web server</p>');
    const spec: OpenSession = {
      kind: 'tcp-server',
      host: '127.0.0.1',
      port: 0,
      framing: { kind: 'raw' },
      encoding: 'utf8',
      overwrite: false,
      reply: 'http-dir',
      replyText: '',
      rules: [],
      greet: '',
      dir: root,
    };
    const port = await startPythonServer(exportPython(spec, { encode: utf8 }));
    const ok = JSON.parse((await runWirelab(['http', 'GET', `http://127.0.0.1:${port}/`, '--json'])).stdout) as {
      status: number;
      body: string;
      headers: Record<string, string>;
    };
    expect(ok).toMatchObject({ status: 200, body: '<p>tiny web server</p>', headers: { 'content-type': 'text/html' } });
    const missing = JSON.parse((await runWirelab(['http', 'GET', `http://127.0.0.1:${port}/nope`, '--json'])).stdout) as { status: number };
    expect(missing.status).toBe(404);
    for (const target of ['/../../../../etc/passwd', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd']) {
      const answer = await new Promise<string>((resolve) => {
        const sock = createConnection({ host: '127.0.0.1', port }, () => sock.write(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
        let got = '';
        sock.on('data', (d) => (got += d.toString()));
        sock.on('close', () => resolve(got));
      });
      expect(answer).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
      expect(answer).not.toContain('root:');
    }
  });
});
