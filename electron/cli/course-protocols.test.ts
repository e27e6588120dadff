import { createHash, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startPeer, stopPeer } from '../../test/support/python-peer.ts';
import { runWirelab, startNode, stop, wirelabBin } from '../../test/support/spawn-cli.ts';
import { tempDir } from '../../test/support/temp-dir.ts';

interface SendDoc {
  sent: number;
  chunks: { hex: string; text: string }[];
  messages: { hex: string; text: string; header?: Record<string, unknown> }[];
  saved: { name: string; bytes: number; sha256: string }[];
  error: { code: string; message: string } | null;
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function send(args: string[], timeoutMs = 30_000) {
  const r = await runWirelab(['send', ...args, '--json'], timeoutMs);
  return { code: r.code, doc: JSON.parse(r.stdout) as SendDoc, stderr: r.stderr };
}

describe('course protocols on the command line', () => {
  it("framing per direction: the notes' remote-command server (raw command in, struct.pack('i') + JSON header + body out)", async () => {
    const peer = await startPeer('remote_command_server.py', []);
    try {
      const { code, doc } = await send(['tcp', '127.0.0.1', String(peer.port), 'ls -l', '--frame-out', 'raw', '--frame-in', 'header-json', '--wait', '1500']);
      expect(code).toBe(0);
      const body = 'would run: ls -l\n'.repeat(3);
      expect(doc.messages).toEqual([{ hex: Buffer.from(body).toString('hex'), text: body, header: { data_size: body.length } }]);
      // what went out is the command as typed, with no prefix of any kind
      expect(doc.sent).toBe(5);
      // one framing both ways would put a header in front of the command: the server runs that instead
      const both = await send(['tcp', '127.0.0.1', String(peer.port), 'ls -l', '--frame', 'header-json', '--wait', '1500']);
      expect(both.doc.messages[0]?.text).not.toBe(body);
    } finally {
      await stopPeer(peer.child);
    }
  });

  it('--file streams a file through the header protocol to the FTP homework server, with --header fields, --size-key and progress on stderr', async () => {
    const remote = await tempDir('wirelab-remote-');
    const src = join(await tempDir(), 'a.bin');
    const bytes = randomBytes(3 * 1024 * 1024 + 17);
    await writeFile(src, bytes);
    const peer = await startPeer('ftp_server.py', [remote]);
    try {
      const { code, doc, stderr } = await send([
        'tcp',
        '127.0.0.1',
        String(peer.port),
        '--file',
        src,
        '--frame',
        'header-json',
        '--size-key',
        'filesize',
        '--header',
        '{"operate":"upload","filename":"a.bin"}',
        '--wait',
        '10000',
      ]);
      expect(code).toBe(0);
      expect(doc.error).toBeNull();
      const end = Date.now() + 10_000;
      while (!peer.output().includes('"upload"') && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      const line = JSON.parse(
        peer
          .output()
          .split('\n')
          .find((l) => l.includes('"upload"'))!,
      ) as { filename: string; bytes: number; sha256: string };
      expect(line).toEqual({ operate: 'upload', filename: 'a.bin', bytes: bytes.length, sha256: sha(bytes) });
      expect(sha(await readFile(join(remote, 'a.bin')))).toBe(sha(bytes));
      const head = JSON.stringify({ operate: 'upload', filename: 'a.bin', filesize: bytes.length });
      expect(doc.sent).toBe(4 + head.length + bytes.length);
      expect(stderr).toMatch(/sending a\.bin: 100% \(3,145,745 of 3,145,745 bytes\)/);
    } finally {
      await stopPeer(peer.child);
    }
  }, 60_000);

  it('send --save-dir: a download from the FTP homework server is saved under its name (a header without filename is numbered)', async () => {
    const remote = await tempDir('wirelab-remote-');
    const bytes = randomBytes(200_000);
    await writeFile(join(remote, 'd.bin'), bytes);
    const save = await tempDir('wirelab-save-');
    const peer = await startPeer('ftp_server.py', [remote]);
    try {
      const { code, doc } = await send([
        'tcp',
        '127.0.0.1',
        String(peer.port),
        '--frame',
        'header-json',
        '--size-key',
        'filesize',
        '--header',
        '{"operate":"download","filename":"d.bin"}',
        '--save-dir',
        save,
        '--wait',
        '10000',
      ]);
      expect(code).toBe(0);
      // the server's reply header is {"filesize": N}: no name, so it is numbered
      expect(doc.saved).toEqual([{ name: 'message-0001.bin', bytes: bytes.length, sha256: sha(bytes) }]);
      expect(sha(await readFile(join(save, 'message-0001.bin')))).toBe(sha(bytes));
    } finally {
      await stopPeer(peer.child);
    }
  }, 60_000);

  it('--bind connects from the local port asked for; a port in use is a bind error', async () => {
    const seen: number[] = [];
    const server = createServer((s) => {
      seen.push(s.remotePort ?? 0);
      s.resume(); // read what comes, so the client's FIN is seen and the socket can close
      s.end('hi');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = String((server.address() as AddressInfo).port);
    // a free local port: bind one, note it, let it go
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const local = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const ok = await send(['tcp', '127.0.0.1', port, 'x', '--bind', `127.0.0.1:${local}`, '--wait', '2000']);
    expect(ok.code).toBe(0);
    expect(seen).toEqual([local]);
    const taken = await send(['tcp', '127.0.0.1', port, 'x', '--bind', `127.0.0.1:${port}`, '--wait', '500']);
    expect(taken.code).toBe(1);
    expect(taken.doc.error?.code).toBe('EADDRINUSE');
    const bad = await runWirelab(['send', 'tcp', '127.0.0.1', port, 'x', '--bind', 'a:b:c']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bind: write \[HOST:\]PORT/);
    await new Promise((r) => server.close(r));
  }, 60_000);

  it('UDP --broadcast: without it the kernel refuses a broadcast address (EACCES); with it the datagram arrives (127.255.255.255, loopback only)', async () => {
    const sink = createSocket('udp4');
    const got: string[] = [];
    sink.on('message', (m) => got.push(m.toString()));
    await new Promise<void>((r) => sink.bind(0, '0.0.0.0', r));
    const port = String(sink.address().port);
    const refused = await send(['udp', '127.255.255.255', port, 'no', '--wait', '300']);
    expect(refused.code).toBe(1);
    expect(refused.doc.error?.code).toBe('EACCES');
    const allowed = await send(['udp', '127.255.255.255', port, 'yes', '--broadcast', '--wait', '300']);
    expect(allowed.code).toBe(0);
    const end = Date.now() + 5000;
    while (got.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(got).toEqual(['yes']);
    sink.close();
  }, 60_000);

  it('listen --greet and escapes: a client is greeted with the bytes, not the backslashes', async () => {
    const { child, line } = await startNode([wirelabBin, 'listen', 'tcp', '0', '--greet', 'hello\\r\\n', '--json', '--timeout', '20000'], /"listening"/);
    try {
      const { port } = JSON.parse(line) as { port: number };
      const { doc } = await send(['tcp', '127.0.0.1', String(port), '--wait', '1000']);
      expect(doc.chunks.map((c) => c.hex).join('')).toBe(Buffer.from('hello\r\n').toString('hex'));
    } finally {
      await stop(child);
    }
  }, 60_000);

  it('usage mistakes are named: --size-key without header-json, --header that is not an object', async () => {
    const a = await runWirelab(['send', 'tcp', '127.0.0.1', '9', 'x', '--size-key', 'filesize']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/--size-key applies to header-json framing/);
    const b = await runWirelab(['send', 'tcp', '127.0.0.1', '9', 'x', '--header', '[1,2]']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--header: a JSON object/);
    const c = await runWirelab(['send', 'tcp', '127.0.0.1', '9', 'x', '--header', '{oops']);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/--header: not JSON/);
  }, 60_000);
});
