import { createServer } from 'node:net';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';

/** Whether this test process can listen on a TCP port of 127.0.0.1 again (the app has let it go). */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

const tabs = (p: Page) => p.getByTestId('session-tab');
const inChunks = (p: Page) => p.getByTestId('log-chunks').locator('[data-testid=log-chunk][data-dir=in]');
const outChunks = (p: Page) => p.getByTestId('log-chunks').locator('[data-testid=log-chunk][data-dir=out]');

async function send(p: Page, text: string): Promise<void> {
  await p.locator('#composer-text').fill(text);
  await p.getByTestId('send').click();
}

test.beforeEach(async ({ app }) => {
  await app.keyboard.press('Control+1');
  await expect(app.getByTestId('sender-panel')).toBeVisible();
});

test('sessions live in the backend: a reload brings back both tabs and their logs, a second page follows them live, Close all frees the ports', async ({
  app,
  host,
}) => {
  // a server (echo) and a client connected to it
  await app.getByTestId('playground').click();
  await expect(tabs(app)).toHaveCount(2);
  await expect(tabs(app).nth(1)).toHaveAttribute('aria-selected', 'true');
  await expect(app.getByTestId('session-head')).toContainText('→');
  const serverPort = Number((await tabs(app).nth(0).locator('.mono').textContent())!.split(':').at(-1));

  // both ways: the client sends, the server echoes; then the server sends to its client
  await send(app, 'from client');
  await expect(inChunks(app)).toHaveCount(1);
  await tabs(app).nth(0).click();
  await expect(app.getByTestId('client')).toHaveCount(1);
  await send(app, 'from server');
  await expect(outChunks(app).filter({ hasText: 'from server' })).toHaveCount(1);

  await app.reload();
  await expect(app.locator('.app[data-ready="true"]')).toBeVisible();
  await app.keyboard.press('Control+1');
  await expect(tabs(app)).toHaveCount(2);
  // the server's log is back: what it received, echoed and sent
  await tabs(app).nth(0).click();
  await expect(inChunks(app).filter({ hasText: 'from client' })).toHaveCount(1);
  await expect(outChunks(app).filter({ hasText: 'from server' })).toHaveCount(1);
  await expect(app.getByTestId('client')).toHaveCount(1);
  // the client's too, and it still sends
  await tabs(app).nth(1).click();
  await expect(inChunks(app)).toHaveCount(2);
  await send(app, 'after reload');
  await expect(inChunks(app).filter({ hasText: 'after reload' })).toHaveCount(1);

  // a second page on the same backend: the same sessions, and new traffic live
  const second = await app.context().newPage();
  await second.goto(host.url);
  await expect(second.locator('.app[data-ready="true"]')).toBeVisible();
  await second.keyboard.press('Control+1');
  await expect(tabs(second)).toHaveCount(2);
  await tabs(second).nth(1).click();
  await expect(inChunks(second)).toHaveCount(3);
  await send(app, 'seen twice');
  await expect(inChunks(second).filter({ hasText: 'seen twice' })).toHaveCount(1);
  await expect(inChunks(app).filter({ hasText: 'seen twice' })).toHaveCount(1);

  // the port is held until Close all
  expect(await canListen(serverPort)).toBe(false);
  await second.getByTestId('open-sessions').locator('summary').click();
  await expect(second.getByTestId('open-sessions-item')).toHaveCount(2);
  await second.getByTestId('close-all').click();
  await expect(tabs(second)).toHaveCount(0);
  await expect(tabs(app)).toHaveCount(0);
  await expect(app.getByTestId('empty-sender')).toBeVisible();
  expect(await canListen(serverPort)).toBe(true);
  await second.close();
});

test("a tab's close button closes its session and frees its port, in every window", async ({ app }) => {
  await app.getByTestId('playground').click();
  await expect(tabs(app)).toHaveCount(2);
  const serverPort = Number((await tabs(app).nth(0).locator('.mono').textContent())!.split(':').at(-1));
  await app.getByTestId('session-tab-close').nth(0).click();
  await expect(tabs(app)).toHaveCount(1);
  expect(await canListen(serverPort)).toBe(true);
  await app.reload();
  await app.keyboard.press('Control+1');
  await expect(tabs(app)).toHaveCount(1);
});

test('a 100 KB message exports whole: the JSON holds every byte the log received, not 4 KiB previews', async ({ app }) => {
  await app.getByTestId('playground').click();
  await expect(app.getByTestId('session-head')).toContainText('→');
  await app.getByTestId('mode-hex').click();
  await app.locator('#composer-text').fill('ab'.repeat(100_024));
  await app.getByTestId('send').click();
  // the echo comes back in chunks as TCP delivers it; wait for all of it
  await expect(app.getByTestId('counters')).toContainText('in 100024 B');
  const dl = app.waitForEvent('download');
  await app.getByTestId('export-json').click();
  const fs = await import('node:fs/promises');
  const doc = JSON.parse(await fs.readFile((await (await dl).path())!, 'utf8')) as {
    events: { type: string; dir: string | null; length: number; hex: string; truncated: boolean }[];
  };
  const inbound = doc.events.filter((e) => e.type === 'chunk' && e.dir === 'in');
  expect(inbound.reduce((n, e) => n + e.hex.length / 2, 0)).toBe(100_024);
  expect(inbound.every((e) => !e.truncated && e.hex.length === e.length * 2)).toBe(true);
  const outbound = doc.events.filter((e) => e.type === 'chunk' && e.dir === 'out');
  expect(outbound.map((e) => e.hex.length)).toEqual([200_048]);
});
