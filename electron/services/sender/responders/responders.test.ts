import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { limits } from '../../../../shared/contract/limits.ts';
import type { SenderEvent } from '../../../../shared/contract/sender.ts';
import { runPeer } from '../../../../test/support/python-peer.ts';
import { tempDir } from '../../../../test/support/temp-dir.ts';
import { createBackend } from '../../backend.ts';
import { Connection, socketIo, type ConnectionHooks } from './connection.ts';
import type { Responder } from './responder.ts';

const run = promisify(execFile);

async function setup() {
  const backend = await createBackend({ host: 'browser', dataDir: await tempDir() });
  const events: SenderEvent[] = [];
  backend.hub.on('sender.event', (e) => events.push(e));
  const call = backend.dispatcher.call.bind(backend.dispatcher);
  const open = async (spec: Record<string, unknown>) => {
    const r = await call('sender.open', { host: '127.0.0.1', port: 0, framing: { kind: 'raw' }, encoding: 'utf8', ...spec } as never);
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
    return { id: r.value.id, port: Number(r.value.local.split(':').at(-1)) };
  };
  return { backend, events, call, open };
}

/** A real socket pair on 127.0.0.1: the server's side and the client's. */
async function socketPair(): Promise<{ server: Socket; client: Socket; close: () => Promise<void> }> {
  const listener = createServer();
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  const accepted = new Promise<Socket>((r) => listener.once('connection', r));
  const client = connect((listener.address() as AddressInfo).port, '127.0.0.1');
  await new Promise<void>((r) => client.once('connect', r));
  const server = await accepted;
  return {
    server,
    client,
    close: async () => {
      client.destroy();
      server.destroy();
      await new Promise<void>((r) => listener.close(() => r()));
    },
  };
}

describe('responder framework', () => {
  it('a TCP server greets each client on connect, raw, with its escapes turned into bytes', async () => {
    const { backend, open } = await setup();
    const srv = await open({ kind: 'tcp-server', reply: 'none', greet: 'hi\\r\\n\\x00\\xff\\\\' });
    const got = await runPeer('greeted_client.py', ['127.0.0.1', String(srv.port), '7']);
    expect(got.stderr).toBe('');
    // h i \r \n \0 \xff \  — seven bytes, not the 16 characters typed
    expect(got.stdout.trim()).toBe('68690d0a00ff5c');
    await backend.dispose();
  });

  it('a fixed reply honours \\r\\n, so curl reads the HTTP response it makes', async () => {
    const { backend, open, events } = await setup();
    const srv = await open({
      kind: 'tcp-server',
      reply: 'fixed',
      replyText: 'HTTP/1.1 200 OK\\r\\nContent-Length: 3\\r\\nContent-Type: text/plain\\r\\n\\r\\nok\\n',
    });
    const { stdout } = await run('curl', ['-s', '-i', '--max-time', '10', `http://127.0.0.1:${srv.port}/`]);
    expect(stdout).toBe('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Type: text/plain\r\n\r\nok\n');
    expect(events.some((e) => e.sessionId === srv.id && e.type === 'chunk' && e.dir === 'out' && e.text.startsWith('HTTP/1.1 200 OK\r\n'))).toBe(true);
    await backend.dispose();
  });

  it('a bad escape in a greeting or a fixed reply is refused when the session opens, naming the field', async () => {
    const { backend, call } = await setup();
    const base = { kind: 'tcp-server', host: '127.0.0.1', port: 0, framing: { kind: 'raw' }, encoding: 'utf8' } as const;
    expect(await call('sender.open', { ...base, reply: 'fixed', replyText: 'a\\q' })).toMatchObject({
      ok: false,
      error: { code: 'ESCAPE_UNKNOWN', field: 'replyText' },
    });
    expect(await call('sender.open', { ...base, reply: 'none', greet: 'x\\x4' })).toMatchObject({ ok: false, error: { code: 'ESCAPE_HEX', field: 'greet' } });
    await backend.dispose();
  });

  it('echo answers through the outgoing framing: raw in, length-prefixed out', async () => {
    const { backend, open } = await setup();
    const srv = await open({ kind: 'tcp-server', reply: 'echo', framingOut: { kind: 'length', bytes: 4, endian: 'le', includesPrefix: false } });
    const c = connect(srv.port, '127.0.0.1');
    const got: Buffer[] = [];
    c.on('data', (d: Buffer) => got.push(d));
    c.write('abc');
    const end = Date.now() + 10_000;
    while (Buffer.concat(got).length < 7 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    expect(Buffer.concat(got).toString('hex')).toBe('03000000616263');
    c.destroy();
    await backend.dispose();
  });

  it('messages that arrive while a file goes out wait in order, and past the queue bound the socket is paused, not read and dropped', async () => {
    const dir = await tempDir();
    const file = join(dir, 'big.bin');
    const body = Buffer.alloc(8 * 1024 * 1024, 7);
    await writeFile(file, body);
    const { server, client, close } = await socketPair();
    const notes: string[] = [];
    let sentBytes = 0;
    const hooks: ConnectionHooks = {
      sent: (_p, b) => (sentBytes += typeof b === 'number' ? b : b.length),
      note: (_p, code) => notes.push(code),
      others: () => [],
    };
    const answered: string[] = [];
    const responder: Responder = {
      async message(m, ctx) {
        const t = Buffer.from(m.bytes).toString();
        if (t.startsWith('get')) await ctx.sendFile(file, { filename: 'big.bin' });
        answered.push(t.length > 20 ? `big:${t.length}` : t);
      },
    };
    const conn = new Connection('peer', 'utf8', { kind: 'header-json', sizeKey: 'filesize' }, socketIo(server), hooks, responder);
    server.on('data', (d: Buffer) => conn.deliver({ bytes: new Uint8Array(d) }));
    // the client does not read yet: the file cannot all go out, so the responder stays busy
    client.pause();
    client.write('get');
    await new Promise((r) => setTimeout(r, 200));
    client.write('one');
    await new Promise((r) => setTimeout(r, 50));
    // more than the queue holds, while the file is still pending
    const flood = Buffer.alloc(limits.responderQueueBytes + 1024 * 1024, 0x61);
    client.write(flood);
    const end = Date.now() + 20_000;
    while (!server.isPaused() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(server.isPaused()).toBe(true);
    expect(answered).toEqual([]);
    // now read everything: the file, whole, after its header
    const got: Buffer[] = [];
    client.on('data', (d: Buffer) => got.push(d));
    client.resume();
    let total = 0;
    while ((answered.length < 2 || total < flood.length + 3) && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 20));
      total = answered.filter((a) => a !== 'get').reduce((n, a) => n + (a.startsWith('big:') ? Number(a.slice(4)) : a.length), 0);
    }
    expect(answered[0]).toBe('get');
    expect(answered[1]).toBe('one');
    // every byte of the flood reached the responder (in chunks as read), none dropped
    expect(total).toBe(flood.length + 3);
    const all = Buffer.concat(got);
    const headLen = all.readInt32LE(0);
    expect(JSON.parse(all.subarray(4, 4 + headLen).toString())).toEqual({ filename: 'big.bin', filesize: body.length });
    const fileBack = all.subarray(4 + headLen, 4 + headLen + body.length);
    expect(createHash('sha256').update(fileBack).digest('hex')).toBe(createHash('sha256').update(body).digest('hex'));
    expect(notes).toContain('SENDER_FILE_SENT');
    expect(sentBytes).toBe(4 + headLen + body.length);
    conn.gone();
    await close();
  }, 60_000);

  it('sendFile sends a file of many chunks byte for byte to a slow reader, counts it exactly, and settles when the reader leaves mid-file', async () => {
    const dir = await tempDir();
    const file = join(dir, 'random.bin');
    // random bytes, several of sendFile's reused buffers long and not a multiple of one: a buffer
    // filled again before the socket had written it would show up as wrong bytes here
    const body = randomBytes(9 * 1024 * 1024 + 12_345);
    await writeFile(file, body);
    const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
    const { server, client, close } = await socketPair();
    const notes: string[] = [];
    let sentBytes = 0;
    const hooks: ConnectionHooks = {
      sent: (_p, b) => (sentBytes += typeof b === 'number' ? b : b.length),
      note: (_p, code) => notes.push(code),
      others: () => [],
    };
    const raw = new Connection('peer', 'utf8', { kind: 'raw' }, socketIo(server), hooks, null);
    const got: Buffer[] = [];
    // a slow reader: the socket's buffer fills and empties many times while the file goes out
    client.on('data', (d: Buffer) => {
      got.push(d);
      client.pause();
      setTimeout(() => client.resume(), 1);
    });
    const progress: number[] = [];
    const r = await raw.sendFile(file, {}, (n) => progress.push(n));
    expect(r.bytes).toBe(body.length);
    const end = Date.now() + 30_000;
    while (got.reduce((n, b) => n + b.length, 0) < body.length && Date.now() < end) await new Promise((res) => setTimeout(res, 20));
    expect(sha(Buffer.concat(got))).toBe(sha(body));
    expect(sentBytes).toBe(body.length);
    expect(progress.at(-1)).toBe(body.length);
    // the log keeps the file as one notice with its length, not its bytes chunk by chunk
    expect(notes).toEqual(['SENDER_FILE_SENT']);
    await close();

    // the reader goes away after the first bytes: the send settles, the connection is closed
    const pair = await socketPair();
    pair.server.on('error', () => {}); // the reset, as the service's own socket handler takes it
    const cut = new Connection('peer', 'utf8', { kind: 'raw' }, socketIo(pair.server), hooks, null);
    pair.client.pause();
    const pending = cut.sendFile(file);
    setTimeout(() => pair.client.destroy(), 100);
    const settled = await Promise.race([pending.then((x) => x.bytes), new Promise<string>((res) => setTimeout(() => res('hung'), 20_000))]);
    expect(settled).not.toBe('hung');
    expect(settled as number).toBeLessThan(body.length);
    await pair.close();
  }, 60_000);
});
