import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'node:net';
import { WebSocket } from 'ws';
import { zeroCounters, type SessionInfo } from '../../../shared/contract/sender.ts';
import { maxWireMessageBytes } from '../../../shared/contract/wire.ts';
import { logToPcap } from '../../../shared/sender/log-export.ts';
import { clientFrame, rawExchange, upgradeHeaders } from '../../../test/support/raw-http.ts';
import { invoke, openUiSocket, serveChild, type ServedHost } from '../../../test/support/served-host.ts';

// One real `wirelab serve` child for the whole file: each test leaves it as it found it, and
// the last checks are that it is still alive.
let host: ServedHost;
beforeAll(async () => {
  host = await serveChild();
}, 40_000);
afterAll(async () => {
  await host?.stop();
});

function alive(): boolean {
  return host.child.exitCode === null && host.child.signalCode === null;
}

async function validGetStatus(): Promise<number> {
  const r = await rawExchange(host.port, [`GET / HTTP/1.1\r\nHost: ${host.hostHeader}\r\nCookie: ${host.cookie}\r\nConnection: close\r\n\r\n`]);
  return r.status;
}

interface Closed {
  code: number;
  reason: string;
}
function closed(ws: WebSocket): Promise<Closed> {
  return new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}

describe('the front door survives what needs no token (issue 10, item 1)', () => {
  it('an upgrade whose cookie is not valid percent-encoding (%E0) is refused with 401, and the host lives', async () => {
    const r = await rawExchange(host.port, [`GET /ws HTTP/1.1\r\n${upgradeHeaders(host.hostHeader)}Cookie: wirelab_token_${host.port}=%E0\r\n\r\n`]);
    expect(r.status).toBe(401);
    expect(alive()).toBe(true);
    expect(await validGetStatus()).toBe(200);
  });

  it('a plain GET with a malformed cookie answers 401, not 500', async () => {
    const r = await rawExchange(host.port, [
      `GET / HTTP/1.1\r\nHost: ${host.hostHeader}\r\nCookie: wirelab_token_${host.port}=%E0%\r\nConnection: close\r\n\r\n`,
    ]);
    expect(r.status).toBe(401);
  });

  it('targets that are not URLs (//[/ws, //[/, *) get a 4xx on both paths, and the host lives', async () => {
    for (const target of ['//[/ws', '//[/', '*', '//evil.example/ws', 'ws']) {
      const up = await rawExchange(host.port, [`GET ${target} HTTP/1.1\r\n${upgradeHeaders(host.hostHeader)}Cookie: ${host.cookie}\r\n\r\n`]);
      expect(up.status, `upgrade ${target}`).toBeGreaterThanOrEqual(400);
      expect(up.status, `upgrade ${target}`).toBeLessThan(500);
      const get = await rawExchange(host.port, [`GET ${target} HTTP/1.1\r\nHost: ${host.hostHeader}\r\nCookie: ${host.cookie}\r\nConnection: close\r\n\r\n`]);
      expect(get.status, `GET ${target}`).toBeGreaterThanOrEqual(200);
      expect(get.status, `GET ${target}`).toBeLessThan(500);
    }
    expect(alive()).toBe(true);
  });

  it('a client that resets its socket right after a refused upgrade (20 times) does not end the host', async () => {
    for (let i = 0; i < 20; i++) {
      await rawExchange(host.port, [`GET /ws HTTP/1.1\r\n${upgradeHeaders(host.hostHeader)}\r\n`], { resetOnReply: true });
      // and one that resets before any answer, with the upgrade half sent
      await rawExchange(host.port, [`GET /ws HTTP/1.1\r\n${upgradeHeaders(host.hostHeader)}`], { resetOnReply: true, timeoutMs: 50 });
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(alive()).toBe(true);
    expect(await validGetStatus()).toBe(200);
  });

  it('the token in the URL redirects to one path on this host, never to //another.host', async () => {
    const r = await rawExchange(host.port, [`GET //evil.example/?token=${host.token} HTTP/1.1\r\nHost: ${host.hostHeader}\r\nConnection: close\r\n\r\n`]);
    expect(r.status).toBe(302);
    expect(r.text).toMatch(/\r\nLocation: \/evil\.example\/\r\n/i);
  });
});

describe('a planted cookie cannot lock the UI out (item 2)', () => {
  it('accepts the right cookie when a same-name wrong one comes first (Path=/ws sorts first)', async () => {
    const planted = `wirelab_token_${host.port}=x; ${host.cookie}`;
    const get = await rawExchange(host.port, [`GET / HTTP/1.1\r\nHost: ${host.hostHeader}\r\nCookie: ${planted}\r\nConnection: close\r\n\r\n`]);
    expect(get.status).toBe(200);
    const up = await rawExchange(
      host.port,
      [`GET /ws HTTP/1.1\r\n${upgradeHeaders(host.hostHeader)}Origin: ${host.origin}\r\nCookie: wirelab_token_${host.port}=%E0; ${planted}\r\n\r\n`],
      { closeOnHead: true },
    );
    expect(up.status).toBe(101);
    // only wrong ones: still refused
    const wrong = await rawExchange(host.port, [
      `GET / HTTP/1.1\r\nHost: ${host.hostHeader}\r\nCookie: wirelab_token_${host.port}=x; wirelab_token_${host.port}=${'0'.repeat(32)}\r\nConnection: close\r\n\r\n`,
    ]);
    expect(wrong.status).toBe(401);
  });
});

describe('malformed envelopes are answered or closed, never left waiting (item 3)', () => {
  it('a schema failure with a readable id gets a typed INVALID_INPUT result naming the field; the socket stays open', async () => {
    const ws = await openUiSocket(host);
    const reply = new Promise<unknown>((resolve) => ws.once('message', (d: Buffer) => resolve(JSON.parse(d.toString()))));
    ws.send(JSON.stringify({ type: 'invoke', id: 7, command: 42, input: {} }));
    expect(await reply).toMatchObject({ type: 'result', id: 7, ok: false, error: { code: 'INVALID_INPUT', field: 'envelope.command' } });
    const other = new Promise<unknown>((resolve) => ws.once('message', (d: Buffer) => resolve(JSON.parse(d.toString()))));
    ws.send(JSON.stringify({ type: 'frobnicate', id: 8 }));
    expect(await other).toMatchObject({ type: 'result', id: 8, ok: false, error: { code: 'INVALID_INPUT', field: 'envelope.type' } });
    expect(await invoke(ws, 9, 'app.ping', { at: 1 })).toMatchObject({ ok: true, value: { at: 1 } });
    ws.close();
  });

  it.each([
    ['text that is not JSON', 'not json', false, 1008, /not JSON/],
    ['JSON without an id to answer', JSON.stringify({ type: 'invoke', id: 'x' }), false, 1008, /envelope\.id/],
    ['a JSON array', '[1,2]', false, 1008, /envelope/],
    ['a binary frame that is not UTF-8', Buffer.from([0xff, 0xfe, 0x00]), true, 1007, /UTF-8/],
    ['a text frame that is not UTF-8', Buffer.from([0x7b, 0xe0, 0x80]), false, 1007, /UTF-8/],
  ])('%s closes the socket with a code and a reason', async (_name, data, binary, code, reason) => {
    const ws = await openUiSocket(host);
    const done = closed(ws);
    ws.send(data, { binary });
    const got = await done;
    expect(got.code).toBe(code);
    expect(got.reason).toMatch(reason);
  });

  it('a binary frame holding a valid envelope is carried like text', async () => {
    const ws = await openUiSocket(host);
    const reply = new Promise<unknown>((resolve) => ws.once('message', (d: Buffer) => resolve(JSON.parse(d.toString()))));
    ws.send(Buffer.from(JSON.stringify({ type: 'invoke', id: 3, command: 'app.ping', input: { at: 3 } })), { binary: true });
    expect(await reply).toMatchObject({ type: 'result', id: 3, ok: true, value: { at: 3 } });
    ws.close();
  });
});

describe('what the contract accepts arrives over the WebSocket (item 4, the transport)', () => {
  it('a 5 MiB packets.save and its library export re-imported are answered on an open socket', async () => {
    const ws = await openUiSocket(host);
    const text = 'A'.repeat(5 * 1024 * 1024);
    const saved = await invoke(
      ws,
      1,
      'packets.save',
      { name: 'big', kind: 'udp', framing: 'raw', payload: { mode: 'text', text, encoding: 'utf8', lineEnding: 'none' } },
      60_000,
    );
    expect(saved.type).toBe('result');
    expect(saved.ok, JSON.stringify(saved.error)).toBe(true);
    const exported = await invoke(ws, 2, 'packets.export', {}, 60_000);
    expect(exported.ok).toBe(true);
    const json = (exported.value as { json: string }).json;
    expect(json.length).toBeGreaterThan(5 * 1024 * 1024);
    const imported = await invoke(ws, 3, 'packets.import', { json }, 60_000);
    // A typed answer (ok, or an error the library chose) on an open socket, never a 1009 close.
    expect(imported.type).toBe('result');
    expect(ws.readyState).toBe(WebSocket.OPEN);
    expect(await invoke(ws, 4, 'app.ping', { at: 4 })).toMatchObject({ ok: true });
    ws.close();
  }, 120_000);

  it('a 4.5 MB pcap (the sender log export of 3,000 chunks) is imported over the socket', async () => {
    const info: SessionInfo = { id: 's', kind: 'tcp-server', local: '127.0.0.1:9000', remote: null, connectMs: null, state: 'open', ...zeroCounters };
    const chunk = new Uint8Array(1400).fill(0x41);
    const entries = Array.from({ length: 3200 }, (_, i) => ({
      type: 'chunk' as const,
      dir: i % 2 ? ('in' as const) : ('out' as const),
      at: 1_700_000_000_000 + i,
      peer: '127.0.0.1:40000',
      bytes: chunk,
    }));
    const pcap = logToPcap(info, entries);
    expect(pcap.length).toBeGreaterThan(4_500_000);
    const ws = await openUiSocket(host);
    const r = await invoke(ws, 1, 'timeline.import', { name: 'big.pcap', base64: Buffer.from(pcap).toString('base64') }, 60_000);
    expect(r.type).toBe('result');
    expect(r.ok, JSON.stringify(r.error)).toBe(true);
    expect((r.value as { frames: number }).frames).toBe(3200);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close();
  }, 120_000);

  it('a message over even that bound is refused at its header: close 1009 with a reason naming the limit', async () => {
    const ws = await openUiSocket(host);
    const done = closed(ws);
    // A frame that announces one byte more than the limit: the host need not receive it to refuse it.
    const raw = (ws as unknown as { _socket: Socket })._socket;
    raw.write(clientFrame(0x1, Buffer.from('{"type":"invoke"'), { declaredLength: maxWireMessageBytes + 1 }));
    const got = await done;
    expect(got.code).toBe(1009);
    expect(got.reason).toMatch(new RegExp(`${maxWireMessageBytes}-byte limit \\(maxWireMessageBytes`));
  });
});

describe('after all of the above', () => {
  it('the host is still alive and answers a valid request', async () => {
    expect(alive()).toBe(true);
    expect(await validGetStatus()).toBe(200);
    expect(host.stderr()).not.toMatch(/Uncaught|unhandled|ECONNRESET\n\s+at /i);
  });
});
