import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { open } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startPeer, stopPeer } from '../../test/support/python-peer.ts';
import { runWirelab, startNode, stop, wirelabBin } from '../../test/support/spawn-cli.ts';
import { kernelDropCounter } from '../services/sender/udp-kernel.ts';
import { tempDir } from '../../test/support/temp-dir.ts';

interface SendDoc {
  sent: number;
  chunks: { hex: string; text: string }[];
  messages: { hex: string; text: string; header?: Record<string, unknown> }[];
  connectMs: number | null;
  error: { code: string; message: string } | null;
}

async function send(args: string[]): Promise<{ code: number | null; doc: SendDoc; stderr: string }> {
  const r = await runWirelab(['send', ...args, '--json']);
  return { code: r.code, doc: JSON.parse(r.stdout) as SendDoc, stderr: r.stderr };
}

/** A plain Node TCP server on 127.0.0.1:0 that runs `onData` for each connection. */
async function nodeServer(onData: (sock: import('node:net').Socket, data: Buffer) => void): Promise<{ server: Server; port: number }> {
  const server = createServer((sock) => sock.on('data', (d) => onData(sock, d)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}

const le32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n);
  return b;
};

describe('wirelab send', () => {
  it('talks to a plain Node echo server and reports the connect time', async () => {
    const { server, port } = await nodeServer((s, d) => s.write(d));
    const { code, doc } = await send(['tcp', '127.0.0.1', String(port), 'hello', '--wait', '300']);
    server.close();
    expect(code).toBe(0);
    expect(doc).toMatchObject({ sent: 5, error: null, chunks: [{ hex: '68656c6c6f', text: 'hello' }], messages: [{ hex: '68656c6c6f', text: 'hello' }] });
    expect(doc.connectMs).toBeGreaterThan(0);
  });

  it('shows the sticky-packet effect: three frames in one chunk, decoded into three messages', async () => {
    const frames = Buffer.concat(['one', '二', 'three'].map((t) => Buffer.concat([le32(Buffer.byteLength(t)), Buffer.from(t)])));
    const { server, port } = await nodeServer((s) => s.end(frames));
    const { doc } = await send(['tcp', '127.0.0.1', String(port), 'go', '--frame', 'len32le', '--wait', '2000']);
    server.close();
    expect(doc.chunks).toHaveLength(1);
    expect(doc.messages.map((m) => m.text)).toEqual(['one', '二', 'three']);
  });

  it('sends GBK when asked (what NetAssist-style tools expect)', async () => {
    const { server, port } = await nodeServer((s, d) => s.end(d));
    const { doc } = await send(['tcp', '127.0.0.1', String(port), '你好', '--encoding', 'gbk', '--wait', '2000']);
    server.close();
    expect(doc.chunks[0]).toEqual({ hex: 'c4e3bac3', text: '你好' });
  });

  it("speaks the seeds' length + JSON header protocol with a Python peer", async () => {
    const py = spawn('python3', ['test/fixtures/seed_peer.py', 'server'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise<string>((r) => py.stdout.once('data', (d: Buffer) => r(d.toString().trim())));
    const { doc } = await send(['tcp', '127.0.0.1', port, 'hello seeds', '--frame', 'header-json', '--wait', '500']);
    py.kill();
    expect(doc.messages).toEqual([{ hex: Buffer.from('HELLO SEEDS').toString('hex'), text: 'HELLO SEEDS', header: { echo: true, data_size: 11 } }]);
  });

  it('explains a refused connection, with exit 1 and the JSON still printed', async () => {
    const { server, port } = await nodeServer(() => undefined);
    await new Promise((r) => server.close(r));
    const { code, doc, stderr } = await send(['tcp', '127.0.0.1', String(port), 'x']);
    expect(code).toBe(1);
    expect(doc.error).toMatchObject({ code: 'ECONNREFUSED', message: expect.stringContaining('nothing is listening there') });
    expect(doc.connectMs).toBeNull();
    expect(stderr).toMatch(/ECONNREFUSED/);
  });

  it('refuses to allocate a frame that announces 2 GiB', async () => {
    const { server, port } = await nodeServer((s) => s.write(Buffer.from([0xff, 0xff, 0xff, 0x7f, 1, 2, 3])));
    const { doc } = await send(['tcp', '127.0.0.1', String(port), 'x', '--frame', 'len32le', '--wait', '300']);
    server.close();
    expect(doc.error).toMatchObject({ code: 'FRAME_TOO_LARGE' });
  });

  it('--file: a peer that reads 1 MiB of 64 MiB and quits is reported as SENDER_FILE_CUT with the bytes written, exit 1', async () => {
    const path = join(await tempDir(), 'big.bin');
    const fh = await open(path, 'w');
    await fh.truncate(64 * 1024 * 1024);
    await fh.close();
    const peer = await startPeer('quitting_server.py', [String(1024 * 1024)]);
    try {
      const r = await runWirelab(['send', 'tcp', '127.0.0.1', String(peer.port), '--file', path, '--wait', '300', '--json'], 60_000);
      const doc = JSON.parse(r.stdout) as SendDoc & { file: { name: string; sent: number; size: number; complete: boolean; reason?: string } };
      expect(r.code).toBe(1);
      expect(doc.file).toMatchObject({ name: 'big.bin', size: 64 * 1024 * 1024, complete: false });
      expect(doc.file.sent).toBeGreaterThanOrEqual(1024 * 1024);
      expect(doc.file.sent).toBeLessThan(64 * 1024 * 1024);
      expect(doc.sent).toBe(doc.file.sent);
      expect(doc.error).toMatchObject({
        code: 'SENDER_FILE_CUT',
        message: expect.stringContaining(`${doc.file.sent.toLocaleString('en-US')} of 67,108,864 bytes`),
      });
      expect(r.stderr).toMatch(/cut short/);
    } finally {
      await stopPeer(peer.child);
    }
  }, 90_000);

  it.each([
    [['tcp', '127.0.0.1', '70000', 'x'], /port: 70000 is out of range/],
    [['tcp', '999.1.1.1', '80', 'x'], /host: 999 in "999.1.1.1" is over 255/],
    [['tcp', 'bad_host!', '80', 'x'], /host: "bad_host!" is not a valid part of a host name/],
    [['tcp', '127.0.0.1', '80', 'zz', '--hex'], /data: "z" at position 1 is not a hex digit/],
    [['tcp', '127.0.0.1', '80', 'x', '--frame', 'len24'], /frame: "len24" is not a framing/],
    [['tcp', '127.0.0.1', '80', 'x', '--encoding', 'latin1'], /encoding: "latin1" is not supported/],
    [['sctp', '127.0.0.1', '80'], /first argument must be tcp or udp/],
  ])('%j: exit 2 with one line naming the field', async (args, message) => {
    const r = await runWirelab(['send', ...(args as string[]), '--json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message as RegExp);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('wirelab listen', () => {
  it('TCP: events as JSON lines; --echo with a framing replies framed; exits after --count', async () => {
    const { child, line, output } = await startNode(
      [wirelabBin, 'listen', 'tcp', '0', '--echo', '--frame', 'header-json', '--count', '1', '--json'],
      /listening/,
    );
    const { port } = JSON.parse(line) as { port: number };
    // the Python client frames and unframes as the notes do, so an echo proves both directions
    const py = await new Promise<string>((resolve) => {
      const c = spawn('python3', ['test/fixtures/seed_peer.py', 'client', String(port), '你好 seeds'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      c.stdout.on('data', (d: Buffer) => (out += d.toString()));
      c.on('exit', () => resolve(out));
    });
    expect(JSON.parse(py)).toEqual({ header: { data_size: Buffer.byteLength('你好 seeds') }, body: '你好 seeds' });
    expect(await stop(child)).toBe(0);
    const events = output()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events[0]).toEqual({ event: 'listening', host: '127.0.0.1', port });
    expect(events[1]).toMatchObject({ event: 'connection' });
    expect(events[2]).toMatchObject({ event: 'message', text: '你好 seeds', header: { data_size: 12 } });
  });

  it('UDP: shows the sender of each datagram and echoes it back', async () => {
    const { child, line } = await startNode([wirelabBin, 'listen', 'udp', '0', '--echo', '--count', '1', '--json'], /listening/);
    const { port } = JSON.parse(line) as { port: number };
    const { code, doc } = await send(['udp', '127.0.0.1', String(port), 'ping', '--wait', '500']);
    expect(code).toBe(0);
    expect(doc.chunks).toEqual([{ hex: '70696e67', text: 'ping' }]);
    await stop(child);
  });

  it('ends by itself after --timeout', async () => {
    const r = await runWirelab(['listen', 'tcp', '0', '--timeout', '300', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ event: 'listening' });
  });
});

describe('wirelab blast', () => {
  it('UDP: every datagram sent reaches a sink on loopback or is a drop the kernel counted, and the report adds up', async () => {
    const sink = createSocket('udp4');
    let received = 0;
    sink.on('message', () => received++);
    await new Promise<void>((r) => sink.bind(0, '127.0.0.1', r));
    // The sink's default buffer holds ~135 ms at this rate: a pause of this test process longer
    // than that (a busy CI machine) makes the kernel drop some, which it counts (/proc/net/udp).
    const drops = kernelDropCounter(sink);
    const r = await runWirelab(['blast', 'udp', '127.0.0.1', String(sink.address().port), '--count', '1000', '--rate', '2000', '--json']);
    const accounted = () => received + (drops?.() ?? 0);
    for (let i = 0; i < 150 && accounted() < 1000; i++) await new Promise((res) => setTimeout(res, 20));
    const dropped = drops?.() ?? 0;
    sink.close();
    const doc = JSON.parse(r.stdout) as { proto: string; sent: number; bytes: number; seconds: number; pps: number };
    expect(doc).toMatchObject({ proto: 'udp', sent: 1000, bytes: 8000 });
    expect(received + dropped, `received ${received}, kernel dropped ${dropped}`).toBe(1000);
    // Paced at 2,000/s, most arrive even on a loaded machine (an unpaced burst would overrun the buffer).
    expect(received).toBeGreaterThanOrEqual(500);
    expect(doc.pps).toBe(Math.round(1000 / doc.seconds));
  });

  it('UDP unpaced: the sendmmsg batch path sends every datagram with the right bytes', async () => {
    const sink = createSocket('udp4');
    const got: string[] = [];
    sink.on('message', (m) => got.push(m.toString('hex')));
    await new Promise<void>((r) => sink.bind(0, '127.0.0.1', r));
    const r = await runWirelab(['blast', 'udp', '127.0.0.1', String(sink.address().port), '--count', '200', '--size', '16', '--json']);
    await new Promise((res) => setTimeout(res, 200));
    sink.close();
    const doc = JSON.parse(r.stdout) as { path: string; sent: number; bytes: number };
    expect(doc).toMatchObject({ sent: 200, bytes: 3200 });
    expect(['sendmmsg', 'dgram']).toContain(doc.path);
    if (process.platform === 'linux') expect(doc.path).toBe('sendmmsg');
    // 200 datagrams fit the sink's receive buffer, so all arrive, each the 16 bytes asked for
    expect(got).toHaveLength(200);
    expect(new Set(got)).toEqual(new Set(['61'.repeat(16)]));
  });

  it('TCP: streams N chunks to a sink and counts every byte', async () => {
    let bytes = 0;
    const { server, port } = await nodeServer((_s, d) => (bytes += d.length));
    const r = await runWirelab(['blast', 'tcp', '127.0.0.1', String(port), '--count', '100', '--size', '10000', '--json']);
    await new Promise((res) => setTimeout(res, 200));
    server.close();
    expect(JSON.parse(r.stdout)).toMatchObject({ proto: 'tcp', sent: 100, bytes: 1_000_000 });
    expect(bytes).toBe(1_000_000);
  });

  it('always needs --count, so it stops by itself', async () => {
    const r = await runWirelab(['blast', 'udp', '127.0.0.1', '9', '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--count N is required/);
  });
});
