import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { SenderEvent } from '../../../shared/contract/sender.ts';
import { tempDir } from '../../../test/support/temp-dir.ts';
import { createBackend } from '../backend.ts';

async function setup() {
  const backend = await createBackend({ host: 'browser', dataDir: await tempDir() });
  const events: SenderEvent[] = [];
  backend.hub.on('sender.event', (e) => events.push(e));
  const until = async (check: () => boolean, ms = 3000) => {
    const end = Date.now() + ms;
    while (!check()) {
      if (Date.now() > end) throw new Error(`timed out; events: ${JSON.stringify(events.map((e) => [e.type, e.dir, e.text]))}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  return { backend, events, until, call: backend.dispatcher.call.bind(backend.dispatcher) };
}

const len32 = { kind: 'length', bytes: 4, endian: 'le', includesPrefix: false } as const;
const text = (t: string) => ({ mode: 'text' as const, text: t, encoding: 'utf8' as const, lineEnding: 'none' as const });

describe('sender service', () => {
  it('a TCP client talks to a Wirelab echo server through the contract, framed both ways', async () => {
    const { backend, events, until, call } = await setup();
    const server = await call('sender.open', { kind: 'tcp-server', host: '127.0.0.1', port: 0, framing: len32, encoding: 'utf8', reply: 'echo' });
    expect(server.ok).toBe(true);
    if (!server.ok) return;
    const port = Number(server.value.local.split(':').at(-1));
    const client = await call('sender.open', { kind: 'tcp-client', host: '127.0.0.1', port, framing: len32, encoding: 'utf8', timeoutMs: 2000 });
    if (!client.ok) throw new Error(client.error.message);
    expect(client.value.connectMs).toBeGreaterThan(0);
    expect(await call('sender.send', { sessionId: client.value.id, payload: text('你好') })).toEqual({ ok: true, value: { bytes: 10 } });
    const mine = (type: string) => events.filter((e) => e.sessionId === client.value.id && e.type === type && e.dir === 'in');
    await until(() => mine('message').length === 1);
    expect(mine('message')[0]).toMatchObject({ text: '你好', hex: 'e4bda0e5a5bd', length: 6 });
    expect(mine('chunk')[0]).toMatchObject({ hex: '06000000e4bda0e5a5bd', length: 10 });
    expect(events.some((e) => e.sessionId === server.value.id && e.type === 'client-open')).toBe(true);
    await backend.dispose();
    expect(await call('sender.list', {})).toEqual({ ok: true, value: [] });
  });

  it('half-close sends FIN and still reads what the peer sends back', async () => {
    const { backend, events, until, call } = await setup();
    // a peer that answers only once it sees our FIN, like a request/response over half-close
    const peer = createServer((sock) => {
      let got = '';
      sock.on('data', (d) => (got += d.toString()));
      sock.on('end', () => sock.end(`you sent ${got.length} bytes`));
    });
    await new Promise<void>((r) => peer.listen(0, '127.0.0.1', r));
    const port = (peer.address() as AddressInfo).port;
    const c = await call('sender.open', { kind: 'tcp-client', host: '127.0.0.1', port, framing: { kind: 'raw' }, encoding: 'utf8', timeoutMs: 2000 });
    if (!c.ok) throw new Error(c.error.message);
    await call('sender.send', { sessionId: c.value.id, payload: text('abc') });
    expect(await call('sender.halfClose', { sessionId: c.value.id })).toMatchObject({ ok: true, value: { state: 'half-closed' } });
    expect(await call('sender.send', { sessionId: c.value.id, payload: text('more') })).toMatchObject({ ok: false, error: { code: 'SEND_AFTER_FIN' } });
    await until(() => events.some((e) => e.dir === 'in' && e.text === 'you sent 3 bytes'));
    // once the peer has closed too, the session is over
    await until(() => events.some((e) => e.sessionId === c.value.id && e.type === 'close' && e.message === 'connection closed'));
    expect(await call('sender.send', { sessionId: c.value.id, payload: text('more') })).toMatchObject({ ok: false, error: { code: 'SESSION_CLOSED' } });
    peer.close();
    await backend.dispose();
  });

  it('reconnect: a closed client connects again to the same server, with a new local port and the same log', async () => {
    const { backend, events, until, call } = await setup();
    // a server that hangs up on its first client and echoes for the next
    let accepted = 0;
    const held = new Set<import('node:net').Socket>();
    const peer = createServer((sock) => {
      held.add(sock);
      if (++accepted === 1) sock.end();
      else sock.on('data', (d) => sock.write(d));
    });
    await new Promise<void>((r) => peer.listen(0, '127.0.0.1', r));
    const port = (peer.address() as AddressInfo).port;
    const c = await call('sender.open', { kind: 'tcp-client', host: '127.0.0.1', port, framing: { kind: 'raw' }, encoding: 'utf8', timeoutMs: 2000 });
    if (!c.ok) throw new Error(c.error.message);
    const id = c.value.id;
    await until(() => events.some((e) => e.sessionId === id && e.type === 'close' && e.message === 'connection closed'));
    expect(await call('sender.send', { sessionId: id, payload: text('x') })).toMatchObject({
      ok: false,
      error: { code: 'SESSION_CLOSED', message: expect.stringContaining('reconnect') },
    });
    const r = await call('sender.reconnect', { sessionId: id });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value).toMatchObject({ id, kind: 'tcp-client', state: 'open', remote: `127.0.0.1:${port}` });
    expect(r.value.local).not.toBe(c.value.local);
    await until(() => accepted === 2);
    await call('sender.send', { sessionId: id, payload: text('again') });
    await until(() => events.some((e) => e.sessionId === id && e.dir === 'in' && e.text === 'again'));
    expect(events.filter((e) => e.sessionId === id && e.type === 'connect').map((e) => e.message)).toEqual([
      `from ${c.value.local} in ${c.value.connectMs} ms`,
      `from ${r.value.local} in ${r.value.connectMs} ms`,
    ]);
    // reconnecting an open connection closes it first (the server sees the old one end)
    const before = accepted;
    const r2 = await call('sender.reconnect', { sessionId: id });
    expect(r2).toMatchObject({ ok: true, value: { state: 'open' } });
    await until(() => accepted === before + 1);
    expect(events.some((e) => e.sessionId === id && e.type === 'close' && e.message === 'connection closed to reconnect')).toBe(true);
    // only TCP clients reconnect; a closed port is explained
    const srv = await call('sender.open', { kind: 'tcp-server', host: '127.0.0.1', port: 0, framing: { kind: 'raw' }, encoding: 'utf8', reply: 'none' });
    if (!srv.ok) throw new Error(srv.error.message);
    expect(await call('sender.reconnect', { sessionId: srv.value.id })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'sessionId' } });
    for (const sock of held) sock.destroy();
    await new Promise((res) => peer.close(res));
    const refused = await call('sender.reconnect', { sessionId: id });
    expect(refused).toMatchObject({ ok: false, error: { code: 'ECONNREFUSED' } });
    await backend.dispose();
  });

  it('UDP: receive from anyone with the sender shown, echo, and send to a named destination', async () => {
    const { backend, events, until, call } = await setup();
    const a = await call('sender.open', { kind: 'udp', host: '127.0.0.1', port: 0, framing: { kind: 'raw' }, encoding: 'utf8', reply: 'echo' });
    const b = await call('sender.open', { kind: 'udp', host: '127.0.0.1', port: 0, framing: { kind: 'raw' }, encoding: 'utf8', reply: 'none' });
    if (!a.ok || !b.ok) throw new Error('open failed');
    const aPort = Number(a.value.local.split(':').at(-1));
    await call('sender.send', { sessionId: b.value.id, payload: text('ping'), host: '127.0.0.1', port: aPort });
    await until(() => events.some((e) => e.sessionId === b.value.id && e.dir === 'in' && e.text === 'ping'));
    expect(events.find((e) => e.sessionId === a.value.id && e.dir === 'in')?.peer).toBe(b.value.local);
    expect(await call('sender.send', { sessionId: b.value.id, payload: text('x') })).toMatchObject({ ok: false, error: { field: 'host' } });
    await backend.dispose();
  });

  it('explains what is wrong and keeps the other sessions running', async () => {
    const { backend, call } = await setup();
    const keep = await call('sender.open', { kind: 'udp', host: '127.0.0.1', port: 0, framing: { kind: 'raw' }, encoding: 'utf8', reply: 'none' });
    expect(
      await call('sender.open', { kind: 'tcp-client', host: '127.0.0.1', port: 1, framing: { kind: 'raw' }, encoding: 'utf8', timeoutMs: 2000 }),
    ).toMatchObject({ ok: false, error: { code: 'ECONNREFUSED' } });
    expect(
      await call('sender.open', { kind: 'tcp-client', host: 'no such host!', port: 80, framing: { kind: 'raw' }, encoding: 'utf8', timeoutMs: 2000 }),
    ).toMatchObject({ ok: false, error: { field: 'host' } });
    expect(
      await call('sender.open', { kind: 'tcp-client', host: '127.0.0.1', port: 70000 as number, framing: { kind: 'raw' }, encoding: 'utf8', timeoutMs: 2000 }),
    ).toMatchObject({ ok: false, error: { field: 'port' } });
    expect(await call('sender.send', { sessionId: 'nope', payload: text('x') })).toMatchObject({ ok: false, error: { code: 'NO_SUCH_SESSION' } });
    if (!keep.ok) throw new Error('open failed');
    expect(await call('sender.send', { sessionId: keep.value.id, payload: { ...text('zz'), mode: 'hex' } })).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('"z" at position 1') },
    });
    const taken = await call('sender.open', { kind: 'tcp-server', host: '127.0.0.1', port: 0, framing: { kind: 'raw' }, encoding: 'utf8', reply: 'none' });
    if (!taken.ok) throw new Error('open failed');
    const port = Number(taken.value.local.split(':').at(-1));
    expect(await call('sender.open', { kind: 'tcp-server', host: '127.0.0.1', port, framing: { kind: 'raw' }, encoding: 'utf8', reply: 'none' })).toMatchObject(
      { ok: false, error: { code: 'EADDRINUSE', message: expect.stringContaining('already taken') } },
    );
    expect((await call('sender.list', {})).ok && (await call('sender.list', {}))).toMatchObject({ value: [{ id: keep.value.id }, { id: taken.value.id }] });
    await backend.dispose();
  });

  it('previews the bytes of a payload, GBK included', async () => {
    const { call } = await setup();
    expect(await call('sender.preview', { payload: { mode: 'text', text: '你好', encoding: 'gbk', lineEnding: 'crlf' } })).toEqual({
      ok: true,
      value: { length: 6, hex: 'c4e3bac30d0a' },
    });
    expect(await call('sender.preview', { payload: { mode: 'escaped', text: 'a\\x00b', encoding: 'utf8', lineEnding: 'none' } })).toEqual({
      ok: true,
      value: { length: 3, hex: '610062' },
    });
  });
});

describe('repeat', () => {
  it('sends every interval with the counter macro, stops by itself after count, and on request', async () => {
    const { backend, events, until, call } = await setup();
    const sink = await call('sender.open', { kind: 'udp', host: '127.0.0.1', port: 0, framing: { kind: 'raw' }, encoding: 'utf8', reply: 'none' });
    const src = await call('sender.open', { kind: 'udp', host: '127.0.0.1', port: 0, framing: { kind: 'raw' }, encoding: 'utf8', reply: 'none' });
    if (!sink.ok || !src.ok) throw new Error('open failed');
    const port = Number(sink.value.local.split(':').at(-1));
    const received = () => events.filter((e) => e.sessionId === sink.value.id && e.dir === 'in').map((e) => e.text);
    expect(await call('sender.repeat', { sessionId: src.value.id, payload: text('#{{counter}}'), host: '127.0.0.1', port, intervalMs: 5, count: 5 })).toEqual({
      ok: true,
      value: { started: true },
    });
    await until(() => events.some((e) => e.sessionId === src.value.id && e.type === 'repeat-end'));
    await until(() => received().length === 5);
    expect(received()).toEqual(['#1', '#2', '#3', '#4', '#5']);

    await call('sender.repeat', { sessionId: src.value.id, payload: text('x'), host: '127.0.0.1', port, intervalMs: 2, count: 0 });
    await until(() => received().length >= 15);
    const stopped = await call('sender.stopRepeat', { sessionId: src.value.id });
    expect(stopped.ok && stopped.value.sent).toBeGreaterThanOrEqual(10);
    const after = received().length;
    await new Promise((r) => setTimeout(r, 50));
    expect(received().length).toBeLessThanOrEqual(after + 1);
    expect(await call('sender.repeat', { sessionId: src.value.id, payload: text('x'), host: '127.0.0.1', port, intervalMs: 0, count: 1 })).toMatchObject({
      ok: false,
      error: { field: 'intervalMs' },
    });
    await backend.dispose();
  });
});

describe('server replies and clients', () => {
  it('answers by rules with captured groups, falls silent when none match, and sends to one client', async () => {
    const { backend, events, until, call } = await setup();
    const server = await call('sender.open', {
      kind: 'tcp-server',
      host: '127.0.0.1',
      port: 0,
      framing: { kind: 'delimiter', delimiter: '\n' },
      encoding: 'utf8',
      reply: 'rules',
      rules: [
        { match: 'regex', pattern: '^GET /(\\w+)', reply: 'you asked for $1' },
        { match: 'exact', pattern: 'ping', reply: 'pong' },
      ],
    });
    if (!server.ok) throw new Error(server.error.message);
    const port = Number(server.value.local.split(':').at(-1));
    const a = await call('sender.open', {
      kind: 'tcp-client',
      host: '127.0.0.1',
      port,
      framing: { kind: 'delimiter', delimiter: '\n' },
      encoding: 'utf8',
      timeoutMs: 2000,
    });
    const b = await call('sender.open', {
      kind: 'tcp-client',
      host: '127.0.0.1',
      port,
      framing: { kind: 'delimiter', delimiter: '\n' },
      encoding: 'utf8',
      timeoutMs: 2000,
    });
    if (!a.ok || !b.ok) throw new Error('open failed');
    const got = (id: string) => events.filter((e) => e.sessionId === id && e.type === 'message').map((e) => e.text);
    await call('sender.send', { sessionId: a.value.id, payload: text('GET /index') });
    await call('sender.send', { sessionId: a.value.id, payload: text('nothing matches') });
    await call('sender.send', { sessionId: a.value.id, payload: text('ping') });
    await until(() => got(a.value.id).length === 2);
    expect(got(a.value.id)).toEqual(['you asked for index', 'pong']);
    // to one client: only b gets it
    await until(() => events.filter((e) => e.sessionId === server.value.id && e.type === 'client-open').length === 2);
    expect(await call('sender.send', { sessionId: server.value.id, payload: text('only you'), clientPeer: b.value.local })).toEqual({
      ok: true,
      value: { bytes: 9 },
    });
    await until(() => got(b.value.id).includes('only you'));
    expect(got(a.value.id)).not.toContain('only you');
    expect(await call('sender.send', { sessionId: server.value.id, payload: text('x'), clientPeer: '127.0.0.1:1' })).toMatchObject({
      ok: false,
      error: { code: 'NO_SUCH_CLIENT' },
    });
    await backend.dispose();
  });

  it('fixed reply for UDP, and a broken rule is refused when the server opens', async () => {
    const { backend, events, until, call } = await setup();
    const srv = await call('sender.open', {
      kind: 'udp',
      host: '127.0.0.1',
      port: 0,
      framing: { kind: 'raw' },
      encoding: 'gbk',
      reply: 'fixed',
      replyText: '收到',
    });
    const cli = await call('sender.open', { kind: 'udp', host: '127.0.0.1', port: 0, framing: { kind: 'raw' }, encoding: 'gbk' });
    if (!srv.ok || !cli.ok) throw new Error('open failed');
    await call('sender.send', {
      sessionId: cli.value.id,
      payload: { ...text('hi'), encoding: 'gbk' },
      host: '127.0.0.1',
      port: Number(srv.value.local.split(':').at(-1)),
    });
    await until(() => events.some((e) => e.sessionId === cli.value.id && e.dir === 'in'));
    expect(events.find((e) => e.sessionId === cli.value.id && e.dir === 'in')).toMatchObject({ text: '收到', hex: 'cad5b5bd' });
    expect(
      await call('sender.open', {
        kind: 'tcp-server',
        host: '127.0.0.1',
        port: 0,
        framing: { kind: 'raw' },
        encoding: 'utf8',
        reply: 'rules',
        rules: [{ match: 'regex', pattern: '([', reply: '' }],
      }),
    ).toMatchObject({ ok: false, error: { field: 'rules[1].pattern' } });
    await backend.dispose();
  });
});

describe('UDP broadcast and multicast, as far as loopback allows', () => {
  it('broadcast needs the flag (EACCES without it), then reaches a socket bound to 0.0.0.0', async () => {
    const { backend, events, until, call } = await setup();
    const rx = await call('sender.open', { kind: 'udp', host: '0.0.0.0', port: 0, framing: { kind: 'raw' }, encoding: 'utf8' });
    const tx = await call('sender.open', { kind: 'udp', host: '127.0.0.1', port: 0, framing: { kind: 'raw' }, encoding: 'utf8' });
    if (!rx.ok || !tx.ok) throw new Error('open failed');
    const port = Number(rx.value.local.split(':').at(-1));
    const denied = await call('sender.send', { sessionId: tx.value.id, payload: text('all'), host: '127.255.255.255', port });
    expect(denied).toMatchObject({ ok: false, error: { code: 'EACCES', message: expect.stringContaining('broadcast needs the broadcast flag') } });
    expect(await call('sender.udpOptions', { sessionId: tx.value.id, broadcast: true })).toEqual({ ok: true, value: { broadcast: true, groups: [] } });
    await call('sender.send', { sessionId: tx.value.id, payload: text('all'), host: '127.255.255.255', port });
    await until(() => events.some((e) => e.sessionId === rx.value.id && e.dir === 'in' && e.text === 'all'));
    await backend.dispose();
  });

  it('IPv4 multicast: join a group on 127.0.0.1, receive what is sent to it, leave', async () => {
    const { backend, events, until, call } = await setup();
    const rx = await call('sender.open', { kind: 'udp', host: '0.0.0.0', port: 0, framing: { kind: 'raw' }, encoding: 'utf8' });
    const tx = await call('sender.open', { kind: 'udp', host: '127.0.0.1', port: 0, framing: { kind: 'raw' }, encoding: 'utf8' });
    if (!rx.ok || !tx.ok) throw new Error('open failed');
    expect(await call('sender.udpOptions', { sessionId: rx.value.id, join: { group: '239.1.2.3', iface: '127.0.0.1' } })).toEqual({
      ok: true,
      value: { broadcast: false, groups: ['239.1.2.3'] },
    });
    // TTL 0 and the loopback interface keep every datagram on this machine.
    await call('sender.udpOptions', { sessionId: tx.value.id, multicastInterface: '127.0.0.1', multicastTtl: 0, multicastLoopback: true });
    const port = Number(rx.value.local.split(':').at(-1));
    await call('sender.send', { sessionId: tx.value.id, payload: text('group hello'), host: '239.1.2.3', port });
    await until(() => events.some((e) => e.sessionId === rx.value.id && e.text === 'group hello'));
    expect(await call('sender.udpOptions', { sessionId: rx.value.id, leave: { group: '239.1.2.3', iface: '127.0.0.1' } })).toEqual({
      ok: true,
      value: { broadcast: false, groups: [] },
    });
    expect(await call('sender.udpOptions', { sessionId: rx.value.id, join: { group: '10.0.0.1' } })).toMatchObject({
      ok: false,
      error: { field: 'group', message: expect.stringContaining('not a multicast address') },
    });
    expect(await call('sender.udpOptions', { sessionId: rx.value.id, multicastTtl: 300 })).toMatchObject({ ok: false, error: { field: 'multicastTtl' } });
    await backend.dispose();
  });
});
