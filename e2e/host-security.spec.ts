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
  expect(page.headers()['content-security-policy']).toMatch(/script-src 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
});

/** What the page code below touches (this file is type-checked without the DOM library). */
interface PageGlobals {
  __violations: string[];
  __ran?: boolean;
  document: {
    addEventListener(type: 'securitypolicyviolation', listener: (e: { violatedDirective: string; blockedURI: string; sample: string }) => void): void;
    createElement(tag: 'script'): { textContent: string };
    head: { appendChild(node: unknown): void };
  };
}

test('the strict CSP (nonce, strict-dynamic, Trusted Types) holds on every panel: the UI runs, no violation', async ({ browser, host }) => {
  const page = await browser.newPage();
  // Collected in the page itself: CSP and Trusted Types violations both fire this event.
  await page.addInitScript(() => {
    const g = globalThis as unknown as PageGlobals;
    g.__violations = [];
    g.document.addEventListener('securitypolicyviolation', (e) => g.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`));
  });
  const consoleErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  await page.goto(host.url);
  await expect(page.locator('.app[data-ready="true"]')).toBeVisible();
  const csp = await page.evaluate(async () => (await fetch('/', { credentials: 'same-origin' })).headers.get('content-security-policy'));
  expect(csp).toContain("require-trusted-types-for 'script'");
  for (const name of ['Packet sender', 'Subnet calculator', 'Handshake timeline', 'Processes']) {
    await page
      .locator('.nav')
      .getByRole('tab', { name: new RegExp(name) })
      .click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(name);
  }
  const violations = await page.evaluate(() => (globalThis as unknown as PageGlobals).__violations);
  expect(violations, 'CSP / Trusted Types violations while using every panel').toEqual([]);
  expect(consoleErrors.filter((t) => !/WebSocket connection to .* failed/.test(t))).toEqual([]);
  // And the policy is really enforced: a string into a script sink is refused, nothing runs.
  const provoked = await page.evaluate(() => {
    const g = globalThis as unknown as PageGlobals;
    const s = g.document.createElement('script');
    let refused = false;
    try {
      s.textContent = 'globalThis.__ran = true';
      g.document.head.appendChild(s);
    } catch {
      refused = true;
    }
    return { refused, ran: g.__ran === true };
  });
  expect(provoked).toEqual({ refused: true, ran: false });
  // (which also shows the violation listener above would have seen one)
  expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).__violations.length)).toBeGreaterThan(0);
  await page.close();
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
  await expect(app.locator('.app[data-ready="true"]')).toBeVisible();
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
