import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startPythonPeer, stopPeer } from '../../test/support/python-peer.ts';
import { tempDir } from '../../test/support/temp-dir.ts';
import { createBackend, type Backend } from './backend.ts';
import { openSessionSchema } from '../../shared/contract/sender.ts';
import { presetIds, presetPlan } from '../../shared/presets/presets.ts';
import type { SenderEvent } from '../../shared/contract/sender.ts';

const children: ChildProcess[] = [];
const backends: Backend[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) await stopPeer(c);
  for (const b of backends.splice(0)) await b.dispose();
});

async function backend(dir?: string): Promise<Backend> {
  const b = await createBackend({ host: 'browser', dataDir: dir ?? (await tempDir()) });
  backends.push(b);
  return b;
}

describe('the client tools through the contract (scripts.*, http.request, sender.exportPython)', () => {
  it('scripts.run runs a script against a Python echo peer; scripts.status keeps the result for any page', async () => {
    const p = await startPythonPeer('course_peers.py', ['echo']);
    children.push(p.child);
    const b = await backend();
    const script = JSON.stringify({
      connect: { kind: 'tcp', host: '127.0.0.1', port: p.port },
      steps: [{ send: 'hi' }, { expect: 'hi' }, { expect: 'more', timeoutMs: 200 }],
    });
    const r = await b.dispatcher.call('scripts.run', { script });
    expect(r).toMatchObject({
      ok: true,
      value: {
        ok: false,
        steps: [{ ok: true }, { ok: true, got: 'hi' }, { ok: false, code: 'SCRIPT_TIMEOUT', error: expect.stringMatching(/^steps\[2\]\.expect: /) }],
      },
    });
    expect(await b.dispatcher.call('scripts.status', {})).toMatchObject({ ok: true, value: { running: false, script, run: { ok: false } } });
  });

  it('a bad script is INVALID_INPUT naming the step and the field', async () => {
    const b = await backend();
    const r = await b.dispatcher.call('scripts.run', {
      script: JSON.stringify({ connect: { kind: 'tcp', host: '127.0.0.1', port: 9 }, steps: [{ wait: 1 }, { expectHex: 'zz' }] }),
    });
    expect(r).toMatchObject({
      ok: false,
      error: {
        code: 'INVALID_INPUT',
        field: 'steps[1].expectHex',
        message: expect.stringMatching(/^steps\[1\]\.expectHex: "z" at position 1 is not a hex digit/),
      },
    });
  });

  it('scripts are saved in the packet library, survive a restart, and travel in its export', async () => {
    const dir = await tempDir();
    const a = await backend(dir);
    const text = '{"connect": {"kind": "udp", "host": "127.0.0.1", "port": 9}, "steps": [{"send": "x"}]}';
    const saved = await a.dispatcher.call('scripts.save', { name: 'udp hello', script: text });
    expect(saved.ok).toBe(true);
    await a.dispose();
    const b = await backend(dir);
    expect(await b.dispatcher.call('scripts.list', {})).toMatchObject({ ok: true, value: [{ name: 'udp hello', script: text }] });
    const exported = await b.dispatcher.call('packets.export', {});
    const c = await backend();
    expect(await c.dispatcher.call('packets.import', { json: (exported as { value: { json: string } }).value.json })).toEqual({
      ok: true,
      value: { added: 1 },
    });
    expect(await c.dispatcher.call('scripts.list', {})).toMatchObject({ ok: true, value: [{ name: 'udp hello' }] });
  });

  it("http.request asks Python's http.server and answers the parsed response with the exact request", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'a.txt'), 'plain text');
    const child = spawn('python3', ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', dir], { stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(child);
    const port = await new Promise<number>((resolve) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /port (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
    });
    const b = await backend();
    const r = await b.dispatcher.call('http.request', { method: 'GET', url: `http://127.0.0.1:${port}/a.txt`, headers: ['Accept: */*'] });
    expect(r).toMatchObject({
      ok: true,
      value: {
        status: 200,
        body: 'plain text',
        framing: 'length',
        request: `GET /a.txt HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: */*\r\nConnection: close\r\n\r\n`,
      },
    });
    expect(await b.dispatcher.call('http.request', { method: 'GET', url: 'https://127.0.0.1/' })).toMatchObject({
      ok: false,
      error: { code: 'HTTP_URL', field: 'url' },
    });
  });

  it('sender.exportPython: a client session that sent two header-json messages exports a program that sends the same bytes', async () => {
    const conns: Buffer[][] = [];
    const closes: Promise<void>[] = [];
    const server = createServer((sock) => {
      const got: Buffer[] = [];
      conns.push(got);
      closes.push(new Promise((r) => sock.on('close', () => r())));
      sock.on('data', (d) => got.push(d));
      sock.on('end', () => sock.end());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const b = await backend();
      const open = await b.dispatcher.call('sender.open', {
        kind: 'tcp-client',
        host: '127.0.0.1',
        port,
        framing: { kind: 'header-json', sizeKey: 'filesize' },
        encoding: 'utf8',
      });
      if (!open.ok) throw new Error(open.error.message);
      const id = open.value.id;
      for (const text of ['first', '第二'])
        await b.dispatcher.call('sender.send', { sessionId: id, payload: { mode: 'text', text, encoding: 'utf8', lineEnding: 'none' } });
      const exported = await b.dispatcher.call('sender.exportPython', { sessionId: id });
      if (!exported.ok) throw new Error(exported.error.message);
      expect(exported.value.name).toBe(`wirelab-tcp-client-${port}.py`);
      await b.dispatcher.call('sender.close', { sessionId: id });
      await closes[0];
      const file = join(await tempDir(), exported.value.name);
      await writeFile(file, exported.value.program);
      const py = spawn('python3', [file], { stdio: ['ignore', 'ignore', 'pipe'] });
      children.push(py);
      let stderr = '';
      py.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const code = await new Promise<number | null>((r) => py.on('exit', r));
      expect(stderr).toBe('');
      expect(code).toBe(0);
      await closes[1];
      expect(Buffer.concat(conns[1]!).toString('hex')).toBe(Buffer.concat(conns[0]!).toString('hex'));
      expect(Buffer.concat(conns[0]!).includes(Buffer.from('{"filesize":5}'))).toBe(true);
      // the session is closed: its spec went with it
      expect(await b.dispatcher.call('sender.exportPython', { sessionId: id })).toMatchObject({ ok: false, error: { code: 'NO_SUCH_SESSION' } });
    } finally {
      server.close();
    }
  });
});

describe('presets: a course experiment as ready sessions', () => {
  it('header-protocol opens an echo server and a client; the client reads its three messages back, framed', async () => {
    const b = await backend();
    const r = await b.dispatcher.call('presets.open', { id: 'header-protocol' });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.sessions).toHaveLength(2);
    const [, client] = r.value.sessions;
    let texts: string[] = [];
    for (let i = 0; i < 100 && texts.length < 3; i++) {
      await new Promise((res) => setTimeout(res, 30));
      const page = await b.dispatcher.call('sender.log', { sessionId: client!, limit: 1000 });
      if (page.ok) texts = page.value.entries.filter((e) => e.type === 'message' && e.dir === 'in').map((e) => e.text);
    }
    expect(texts).toEqual(['one', 'two', 'three']);
    // both sessions export: the server as a program with the same responder
    const server = await b.dispatcher.call('sender.exportPython', { sessionId: r.value.sessions[0]! });
    expect(server).toMatchObject({ ok: true, value: { program: expect.stringContaining('conn.sendall(frame(message[1]))  # echo') } });
  });

  /** Polls the sessions' logs until `done` holds (at most ~6 s); answers the logs. */
  async function logsUntil(b: Backend, ids: string[], done: (logs: SenderEvent[][]) => boolean): Promise<SenderEvent[][]> {
    let logs: SenderEvent[][] = [];
    for (let i = 0; i < 200; i++) {
      logs = [];
      for (const id of ids) {
        const page = await b.dispatcher.call('sender.log', { sessionId: id, limit: 1000 });
        logs.push(page.ok ? page.value.entries : []);
      }
      if (done(logs)) break;
      await new Promise((res) => setTimeout(res, 30));
    }
    return logs;
  }
  const codes = (log: SenderEvent[]) => log.map((e) => e.code).filter(Boolean);
  const incoming = (log: SenderEvent[]) => log.filter((e) => e.dir === 'in' && (e.type === 'message' || e.type === 'chunk')).map((e) => e.text);

  it('auth-right passes the challenge and is echoed; auth-wrong is refused and closed', async () => {
    const b = await backend();
    const right = await b.dispatcher.call('presets.open', { id: 'auth-right' });
    if (!right.ok) throw new Error(right.error.message);
    const [server, client] = await logsUntil(b, right.value.sessions, ([, c]) => incoming(c!).join('').includes('hello after the challenge'));
    expect(codes(server!)).toContain('CHALLENGE_PASSED');
    // the client's log shows the 32 challenge bytes it read, then the echo
    expect(incoming(client!).join('')).toContain('hello after the challenge');
    const wrong = await b.dispatcher.call('presets.open', { id: 'auth-wrong' });
    if (!wrong.ok) throw new Error(wrong.error.message);
    const [server2, client2] = await logsUntil(b, wrong.value.sessions, ([s2]) => codes(s2!).includes('CHALLENGE_FAILED'));
    expect(codes(server2!)).toContain('CHALLENGE_FAILED');
    expect(incoming(client2!).join('')).toContain('authentication failed\n');
    expect(incoming(client2!).join('')).not.toContain('hello after the challenge');
  });

  it('chat-room: three clients join by name, then alice speaks and the other two hear her', async () => {
    const b = await backend();
    const r = await b.dispatcher.call('presets.open', { id: 'chat-room' });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.sessions).toHaveLength(4);
    const [, alice, bob, carol] = await logsUntil(b, r.value.sessions, (l) => incoming(l[3]!).includes('alice: hello, room'));
    expect(incoming(bob!)).toContain('alice: hello, room');
    expect(incoming(carol!)).toContain('alice: hello, room');
    expect(incoming(alice!)).not.toContain('alice: hello, room');
  });

  it("ftp-upload: serve-dir saves the notes' upload (header + body) under its filename; ftp-download saves the served file (numbered: the answer names no file) in the client's downloads folder", async () => {
    const dataDir = await tempDir();
    const b = await backend(dataDir);
    const up = await b.dispatcher.call('presets.open', { id: 'ftp-upload' });
    if (!up.ok) throw new Error(up.error.message);
    const saved = (l: { type: string; code: string | null }[]) => l.some((e) => e.type === 'notice' && e.code === 'SENDER_SAVED');
    const [server] = await logsUntil(b, up.value.sessions, ([s1]) => saved(s1!));
    expect(server!.find((e) => e.type === 'message' && e.dir === 'in')).toMatchObject({ header: { operate: 'upload', filename: 'upload.txt', filesize: 20 } });
    expect(await readFile(join(dataDir, 'presets', 'ftp-upload', 'upload.txt'), 'utf8')).toBe('uploaded by Wirelab\n');
    const down = await b.dispatcher.call('presets.open', { id: 'ftp-download' });
    if (!down.ok) throw new Error(down.error.message);
    const [, client] = await logsUntil(b, down.value.sessions, ([, c]) => saved(c!));
    expect(client!.find((e) => e.type === 'message' && e.dir === 'in')).toMatchObject({ header: { filesize: 29 } });
    // the notes' download answer is {"filesize": N} alone, with no name: the body is saved numbered
    expect(await readFile(join(dataDir, 'presets', 'ftp-download', 'downloads', 'message-0001.bin'), 'utf8')).toBe('hello from the server folder\n');
  });

  it("http-server answers the client's GET with the folder's index.html", async () => {
    const b = await backend();
    const r = await b.dispatcher.call('presets.open', { id: 'http-server' });
    if (!r.ok) throw new Error(r.error.message);
    const [server, client] = await logsUntil(b, r.value.sessions, ([, c]) => incoming(c!).join('').includes('</h1>'));
    expect(incoming(client!).join('')).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*<h1>Hello from a tiny web server<\/h1>/);
    expect(codes(server!)).toContain('HTTP_REQUEST');
  });

  it.each(presetIds)('%s: every session of the plan is a valid sender.open input', (id) => {
    const plan = presetPlan(id, '/tmp/x');
    expect(openSessionSchema.safeParse(plan.server).success).toBe(true);
    for (const c of plan.clients) expect(openSessionSchema.safeParse({ ...c.spec, host: '127.0.0.1', port: 1 }).success).toBe(true);
  });
});
