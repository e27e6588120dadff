// Frame times in Chromium while one UDP session receives `rate` datagrams/s for `seconds`.
import { chromium } from '@playwright/test';
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
const root = fileURLToPath(new URL('..', import.meta.url));
const rate = Number(process.argv[2] ?? 100000),
  seconds = Number(process.argv[3] ?? 10);
const child = spawn(process.execPath, [join(root, 'bin/wirelab.mjs'), 'serve', '--json', '--data-dir', mkdtempSync(join(tmpdir(), 'wl-flood-'))], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise((r) => child.stdout.once('data', (c) => r(JSON.parse(c.toString().split('\n')[0]).url)));
const browser = await chromium.launch({
  executablePath: process.env.WIRELAB_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
await page.goto(url);
await page.locator('[data-ready=true]').waitFor();
await page.keyboard.press('Control+1');
await page.locator('#ns-kind').selectOption('udp');
await page.locator('#ns-port').fill('0');
await page.getByTestId('open-session').click();
const local = await page.getByTestId('session-head').locator('.mono').first().textContent();
const port = local.split(':').at(-1);
await page.evaluate(
  `window.__frames = []; (function loop(t0) { requestAnimationFrame((t) => { window.__frames.push(t - t0); loop(t); }); })(performance.now());`,
);
const blast = new Promise((r) =>
  execFile(
    process.execPath,
    [join(root, 'bin/wirelab.mjs'), 'blast', 'udp', '127.0.0.1', port, '--count', String(rate * seconds), '--rate', String(rate), '--json'],
    (e, out) => r(out),
  ),
);
const out = await blast;
await page.waitForTimeout(500);
const frames = await page.evaluate('window.__frames');
const heap = await page.evaluate('performance.memory ? performance.memory.usedJSHeapSize : 0');
const counters = await page.getByTestId('counters').textContent();
const dropped = await page
  .locator('.log-bar .warn')
  .textContent()
  .catch(() => 'none');
const sorted = [...frames].sort((a, b) => a - b);
const p = (q) => sorted[Math.floor(sorted.length * q)];
console.log(
  JSON.stringify({
    blast: JSON.parse(out),
    frames: frames.length,
    p50: p(0.5),
    p95: p(0.95),
    max: sorted.at(-1),
    heapMB: Math.round(heap / 1e6),
    counters,
    dropped,
  }),
);
await browser.close();
child.kill();
