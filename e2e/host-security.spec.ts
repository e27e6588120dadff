import { WebSocket } from 'ws';
import { expect, test } from './fixtures.ts';

test('the page is refused without the token, and served with it', async ({ request, host }) => {
  const without = await request.get(`${host.origin}/`, { maxRedirects: 0 });
  expect(without.status()).toBe(401);
  const withToken = await request.get(host.url, { maxRedirects: 0 });
  expect(withToken.status()).toBe(302);
  expect(withToken.headers()['set-cookie']).toMatch(/HttpOnly; SameSite=Strict/);
  const page = await request.get(`${host.origin}/`, { headers: { cookie: `wirelab_token_${host.port}=${host.token}` } });
  expect(page.status()).toBe(200);
  expect(page.headers()['content-security-policy']).toContain("script-src 'self'");
});

test('a foreign Host header is refused even with the token (DNS rebinding)', async ({ request, host }) => {
  const foreign = await request.get(host.url, { headers: { host: `rebind.example:${host.port}` }, maxRedirects: 0 });
  expect(foreign.status()).toBe(421);
  const ours = await request.get(host.url, { headers: { host: `127.0.0.1:${host.port}` }, maxRedirects: 0 });
  expect(ours.status()).toBe(302);
});

function tryWs(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', () => resolve(-1));
  });
}

test('a WebSocket from a foreign Origin is refused; the right Origin is accepted', async ({ host }) => {
  const wsUrl = `ws://127.0.0.1:${host.port}/ws`;
  const cookie = `wirelab_token_${host.port}=${host.token}`;
  expect(await tryWs(wsUrl, { origin: 'http://evil.example', cookie })).toBe(403);
  expect(await tryWs(wsUrl, { origin: host.origin })).toBe(401);
  expect(await tryWs(wsUrl, { origin: host.origin, cookie })).toBe(101);
});

test('a page on another origin in the browser cannot open the WebSocket', async ({ page, host, app }) => {
  // `app` opened the real UI first, so the browser holds the cookie: the refusal is the Origin check.
  expect(app).toBeTruthy();
  await page.goto('about:blank');
  const outcome = await page.evaluate(async (url) => {
    return await new Promise<string>((resolve) => {
      const ws = new WebSocket(url);
      ws.onopen = () => resolve('open');
      ws.onerror = () => resolve('refused');
    });
  }, `ws://127.0.0.1:${host.port}/ws`);
  expect(outcome).toBe('refused');
});
