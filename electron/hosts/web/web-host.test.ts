import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { tempDir } from '../../../test/support/temp-dir.ts';
import { createBackend, type Backend } from '../../services/backend.ts';
import { startWebHost, type WebHost } from './web-host.ts';

let backend: Backend;
let host: WebHost;

beforeEach(async () => {
  const root = await tempDir('wirelab-web-');
  const rendererDir = join(root, 'renderer');
  await mkdir(join(rendererDir, 'assets'), { recursive: true });
  await writeFile(
    join(rendererDir, 'index.html'),
    '<!doctype html><html><head><title>Wirelab</title><script type="module" src="./assets/app.js"></script></head></html>',
  );
  await writeFile(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(join(root, 'secret.txt'), 'do not serve');
  backend = await createBackend({ host: 'browser', dataDir: join(root, 'data') });
  host = await startWebHost({ backend, rendererDir });
});
afterEach(async () => {
  await host.close();
  await backend.dispose();
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}
function get(path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host.port, path, headers: { host: `127.0.0.1:${host.port}`, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
const cookie = () => `wirelab_token_${host.port}=${host.token}`;

function openWs(headers: Record<string, string>): Promise<{ ws: WebSocket } | { status: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws`, { headers });
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
    ws.once('error', () => resolve({ status: -1 }));
  });
}

function call(ws: WebSocket, id: number, command: string, input: unknown): Promise<unknown> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const msg = JSON.parse(data.toString());
      if (msg.type === 'result' && msg.id === id) {
        ws.off('message', onMessage);
        resolve(msg);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ type: 'invoke', id, command, input }));
  });
}

describe('browser host over HTTP', () => {
  it('binds 127.0.0.1 and prints a URL with a 128-bit token', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32}$/);
  });

  it('refuses the page without the token', async () => {
    const r = await get('/');
    expect(r.status).toBe(401);
    expect(r.body).toMatch(/token/);
  });

  it('trades the URL token for an HttpOnly SameSite=Strict cookie and drops it from the address', async () => {
    const r = await get(`/?token=${host.token}`);
    expect(r.status).toBe(302);
    expect(r.headers.location).toBe('/');
    const setCookie = String(r.headers['set-cookie']);
    expect(setCookie).toContain(`wirelab_token_${host.port}=${host.token}`);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
  });

  it('serves the app with the cookie, with a CSP whose script nonce is fresh per response and on the tags of the page', async () => {
    const r = await get('/', { cookie: cookie() });
    expect(r.status).toBe(200);
    expect(r.body).toContain('<title>Wirelab</title>');
    const csp = String(r.headers['content-security-policy']);
    const nonce = /script-src 'nonce-([A-Za-z0-9+/=]{24})' 'strict-dynamic'(;|$)/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(csp).toMatch(/object-src 'none'/);
    expect(csp).toMatch(/base-uri 'none'/);
    expect(csp).toMatch(/require-trusted-types-for 'script'/);
    expect(r.body).toContain(`<meta property="csp-nonce" nonce="${nonce}"`);
    const again = await get('/', { cookie: cookie() });
    expect(String(again.headers['content-security-policy'])).not.toContain(nonce);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect((await get('/assets/app.js', { cookie: cookie() })).headers['content-type']).toMatch(/javascript/);
  });

  it('refuses a wrong token and a foreign Host header (DNS rebinding) even with the right cookie', async () => {
    expect((await get('/?token=' + '0'.repeat(32))).status).toBe(401);
    expect((await get('/', { cookie: cookie(), host: `evil.example:${host.port}` })).status).toBe(421);
    expect((await get('/', { cookie: cookie(), host: `localhost:${host.port}` })).status).toBe(200);
  });

  it('refuses a cross-origin request and never serves files outside the app folder', async () => {
    expect((await get('/', { cookie: cookie(), origin: 'http://evil.example' })).status).toBe(403);
    expect((await get('/../secret.txt', { cookie: cookie() })).status).toBe(404);
    expect((await get('/%2e%2e/secret.txt', { cookie: cookie() })).status).toBe(404);
    expect((await get('/missing.js', { cookie: cookie() })).status).toBe(404);
    // unknown routes without an extension are the single-page app
    expect((await get('/subnet', { cookie: cookie() })).body).toContain('Wirelab');
  });
});

describe('browser host over WebSocket', () => {
  const origin = () => `http://127.0.0.1:${host.port}`;

  it('accepts the right origin with the cookie and carries the contract', async () => {
    const r = await openWs({ origin: origin(), cookie: cookie() });
    expect('ws' in r).toBe(true);
    if (!('ws' in r)) return;
    expect(await call(r.ws, 1, 'app.info', {})).toMatchObject({ ok: true, value: { host: 'browser', name: 'Wirelab' } });
    expect(await call(r.ws, 2, 'settings.update', { theme: 'purple' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'theme' } });
    expect(await call(r.ws, 3, 'nope', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_COMMAND' } });
    // an envelope that breaks the schema but has an id is answered, and the socket stays open
    r.ws.send(JSON.stringify({ type: 'invoke', id: 9, command: 42 }));
    expect(await call(r.ws, 4, 'app.ping', { at: 5 })).toMatchObject({ ok: true, value: { at: 5 } });
    r.ws.close();
  });

  it('refuses a foreign Origin, a missing token and a foreign Host', async () => {
    expect(await openWs({ origin: 'http://evil.example', cookie: cookie() })).toEqual({ status: 403 });
    expect(await openWs({ origin: origin() })).toEqual({ status: 401 });
    expect(await openWs({ origin: origin(), cookie: cookie(), host: 'evil.example' })).toEqual({ status: 421 });
  });

  it('delivers subscribed events in batches', async () => {
    const r = await openWs({ origin: origin(), cookie: cookie() });
    if (!('ws' in r)) throw new Error('no socket');
    const batch = new Promise<unknown>((resolve) =>
      r.ws.on('message', (d: Buffer) => {
        const msg = JSON.parse(d.toString());
        if (msg.type === 'events') resolve(msg);
      }),
    );
    r.ws.send(JSON.stringify({ type: 'subscribe', stream: 'app.notice' }));
    await call(r.ws, 1, 'app.ping', { at: 0 }); // the subscribe has been processed once this answers
    backend.notices.add('info', 'TEST', 'one');
    backend.notices.add('info', 'TEST', 'two');
    const got = (await batch) as { stream: string; events: { message: string }[]; dropped: number };
    expect(got.stream).toBe('app.notice');
    expect(got.events.map((e) => e.message)).toEqual(['one', 'two']);
    expect(got.dropped).toBe(0);
    r.ws.close();
  });
});

describe('startWebHost', () => {
  it('refuses a non-loopback bind unless remote access is allowed', async () => {
    await expect(startWebHost({ backend, rendererDir: '/nonexistent', host: '0.0.0.0' })).rejects.toThrow(/allow-remote/);
  });
});
