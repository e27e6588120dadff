// Takes screenshots of the UI through the browser host in Debian's Chromium: both languages,
// light and dark, an error notice and a lost backend. `docs/screenshot.png` is the README's.
// Usage: node scripts/screenshots.mjs [outDir]   (default .tmp/shots)
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from './electron-binary.mjs';

const outDir = process.argv[2] ?? join(projectRoot, '.tmp', 'shots');
mkdirSync(outDir, { recursive: true });

function serve(dataDir, env = {}) {
  const child = spawn(process.execPath, [join(projectRoot, 'bin', 'wirelab.mjs'), 'serve', '--json', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  return new Promise((resolve, reject) => {
    child.stdout.once('data', (c) => resolve({ child, url: JSON.parse(c.toString().split('\n')[0]).url }));
    child.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
  });
}

const browser = await chromium.launch({
  executablePath: process.env.WIRELAB_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
});
async function shoot(url, name, { scheme = 'light', panel = '1', lang = 'en', after, viewport = { width: 1200, height: 720 } } = {}) {
  const context = await browser.newContext({ viewport, colorScheme: scheme, locale: lang === 'zh-CN' ? 'zh-CN' : 'en-US' });
  const page = await context.newPage();
  await page.goto(url);
  await page.locator('.app[data-ready="true"]').waitFor();
  await page.keyboard.press(`Control+${panel}`);
  if (after) await after(page);
  await page.waitForTimeout(150);
  await page.screenshot({ path: join(outDir, `${name}.png`) });
  await context.close();
  console.log(`wrote ${join(outDir, `${name}.png`)}`);
}

const data = mkdtempSync(join(tmpdir(), 'wirelab-shots-'));
let host = await serve(data);
await shoot(host.url, 'sender-en-light');
await shoot(host.url, 'subnet-en-dark', { scheme: 'dark', panel: '2' });
await shoot(host.url, 'timeline-zh-light', { panel: '3', lang: 'zh-CN' });
// the subnet panel: each view, both languages, an error
const fill = (id, text) => async (page) => {
  await page.locator(`#${id}`).fill(text);
};
const tab = (name, then) => async (page) => {
  await page.locator(`#subnet-tab-${name}`).click();
  if (then) await then(page);
};
await shoot(host.url, 'subnet-calc-en-light', { panel: '2' });
await shoot(host.url, 'subnet-calc6-zh-dark', { panel: '2', scheme: 'dark', lang: 'zh-CN', after: fill('calc-input', 'fe80::1%eth0/64') });
await shoot(host.url, 'subnet-error-zh-light', { panel: '2', lang: 'zh-CN', after: fill('calc-input', '010.1.1.1/8') });
await shoot(host.url, 'subnet-error-en-dark', { panel: '2', scheme: 'dark', after: fill('calc-input', '10.1.1.1 255.0.255.0') });
await shoot(host.url, 'subnet-same-en-light', { panel: '2', after: tab('same') });
await shoot(host.url, 'subnet-same-zh-dark', { panel: '2', scheme: 'dark', lang: 'zh-CN', after: tab('same', fill('same-mask', '255.255.0.0')) });
await shoot(host.url, 'subnet-split-en-light', {
  panel: '2',
  after: tab('split', async (p) => {
    await p.locator('#split-network').fill('10.0.0.0/8');
    await p.locator('#split-value').fill('24');
  }),
});
await shoot(host.url, 'subnet-vlsm-zh-light', {
  panel: '2',
  lang: 'zh-CN',
  after: tab('split', async (p) => {
    await p.locator('#split-mode').selectOption('hosts');
    await p.locator('#split-value').fill('50,20,2');
  }),
});
await shoot(host.url, 'subnet-tree-en-light', { panel: '2', after: tab('tree') });
await shoot(host.url, 'subnet-tree-zh-dark', { panel: '2', scheme: 'dark', lang: 'zh-CN', after: tab('tree') });
await shoot(host.url, 'subnet-summarize-en-dark', { panel: '2', scheme: 'dark', after: tab('summarize') });
await shoot(host.url, 'subnet-interfaces-en-light', {
  panel: '2',
  after: tab('interfaces', async (p) => {
    await p.locator('[data-testid=interface-address]').first().waitFor();
  }),
});
// the packet sender: the playground after a send (the sticky-packet view), in both languages
const sender = (fr) => async (page) => {
  await page.locator('#ns-framing').selectOption(fr);
  await page.getByTestId('playground').click();
  await page.getByTestId('session-tab').nth(1).waitFor();
  await page.locator('#composer-text').fill('你好 #{{counter}}');
  await page.getByTestId('repeat-ms').fill('40');
  await page.getByTestId('repeat-count').fill('4');
  await page.getByTestId('repeat').click();
  await page.waitForTimeout(400);
};
await shoot(host.url, 'sender-playground-en-light', { panel: '1', after: sender('len32le') });
await shoot(host.url, 'sender-playground-zh-dark', { panel: '1', scheme: 'dark', lang: 'zh-CN', after: sender('line') });
// the traffic generator after a run against a Wirelab UDP server (rate units, what is counted), and TCP
const generator = (kind) => async (page) => {
  await page.locator('#ns-kind').selectOption(kind === 'tcp' ? 'tcp-server' : 'udp');
  await page.locator('#ns-port').fill('0');
  await page.getByTestId('open-session').click();
  await page.getByTestId('session-tab').first().waitFor();
  await page.waitForTimeout(300);
  const local = await page.getByTestId('session-head').locator('.mono').first().textContent();
  if (kind === 'tcp') await page.locator('#gen-proto').selectOption('tcp');
  await page.locator('#gen-port').fill(local.split(':').at(-1));
  await page.locator('#gen-count').fill(kind === 'tcp' ? '2000' : '20000');
  await page.getByTestId('gen-start').click();
  await page.locator('[data-testid=gen-stats][data-state=done]').waitFor({ timeout: 20_000 });
  await page.getByTestId('gen-stats').scrollIntoViewIfNeeded();
};
await shoot(host.url, 'sender-generator-en-light', { panel: '1', after: generator('udp') });
await shoot(host.url, 'sender-generator-tcp-zh-dark', { panel: '1', scheme: 'dark', lang: 'zh-CN', after: generator('tcp') });
// the composer converting 你好 to hex (GBK) and a note when bytes cannot be text
const convert = async (page) => {
  await page.getByTestId('playground').click();
  await page.getByTestId('session-tab').nth(1).waitFor();
  await page.locator('#composer-text').fill('你好');
  await page.getByTestId('mode-hex').click();
  await page.locator('#composer-text').fill('c4 e3 ba c3 00 ff');
  await page.getByTestId('mode-text').click();
  await page.getByTestId('convert-note').waitFor();
};
await shoot(host.url, 'sender-convert-en-dark', { panel: '1', scheme: 'dark', after: convert });
await shoot(host.url, 'sender-convert-zh-light', { panel: '1', lang: 'zh-CN', after: convert });
// the handshake timeline: each experiment, both languages and themes, a segment selected, a file
const experiment =
  (kind, { select = 2, file = null } = {}) =>
  async (page) => {
    if (file) await page.getByTestId('pcap-input').setInputFiles(file);
    else {
      await page.getByTestId(`experiment-${kind}`).click();
      await page.locator('[data-testid=timeline-view][data-phase=done]').waitFor();
    }
    await page.getByTestId('segment').first().waitFor();
    if (select !== null) await page.getByTestId('segment').nth(select).click();
  };
const wide = { width: 1440, height: 900 };
const capture = (name) => join(projectRoot, 'test', 'fixtures', 'captures', name);
await shoot(host.url, 'timeline-normal-en-light', { panel: '3', viewport: wide, after: experiment('normal') });
await shoot(host.url, 'timeline-normal-zh-dark', { panel: '3', viewport: wide, scheme: 'dark', lang: 'zh-CN', after: experiment('normal', { select: 1 }) });
await shoot(host.url, 'timeline-halfclose-en-dark', { panel: '3', scheme: 'dark', after: experiment('half-close', { select: null }) });
await shoot(host.url, 'timeline-refused-zh-light', { panel: '3', lang: 'zh-CN', after: experiment('refused', { select: 1 }) });
await shoot(host.url, 'timeline-reset-en-light', { panel: '3', after: experiment('reset', { select: null }) });
await shoot(host.url, 'timeline-server-first-zh-light', { panel: '3', lang: 'zh-CN', after: experiment('server-first', { select: null }) });
await shoot(host.url, 'timeline-zero-window-en-light', { panel: '3', viewport: wide, after: experiment('zero-window', { select: 12 }) });
await shoot(host.url, 'timeline-keep-alive-zh-dark', {
  panel: '3',
  viewport: wide,
  scheme: 'dark',
  lang: 'zh-CN',
  after: experiment('keep-alive', { select: null }),
});
await shoot(host.url, 'timeline-backlog-full-en-dark', {
  panel: '3',
  scheme: 'dark',
  after: experiment(null, { file: capture('backlog-full.pcap'), select: null }),
});
// "Show timeline" on a client that was already connected: the panel offers to reconnect
const missed = async (page) => {
  await page.getByTestId('playground').click();
  await page.getByTestId('session-tab').nth(1).waitFor();
  await page.getByTestId('show-timeline').click();
  await page.getByTestId('handshake-missed').waitFor();
};
await shoot(host.url, 'timeline-handshake-missed-zh-light', { panel: '1', lang: 'zh-CN', after: missed });
await shoot(host.url, 'timeline-file-en-light', {
  panel: '3',
  viewport: wide,
  after: experiment(null, { file: capture('three-connections.pcap'), select: 0 }),
});
await shoot(host.url, 'timeline-truncated-zh-dark', {
  panel: '3',
  scheme: 'dark',
  lang: 'zh-CN',
  after: experiment(null, { file: capture('truncated.pcap'), select: null }),
});
await shoot(host.url, 'timeline-empty-en-dark', { panel: '3', scheme: 'dark' });
// the process monitor: the table, the zombie lab in the tree, connections, labs, a signal to confirm
const ps = (then) => async (page) => {
  await page.getByTestId('ps-row').first().waitFor();
  if (then) await then(page);
};
const zombie = async (page) => {
  await page.getByTestId('ps-tab-labs').click();
  await page.getByTestId('lab-start-zombie').click();
  await page.getByTestId('lab-running').first().waitFor();
  await page
    .getByTestId('lab-zombie')
    .getByRole('button', { name: /Show in table|在表格中显示/ })
    .click();
  // "Show in table" keeps the user's view; the tree shows the Z row under its parent.
  await page.getByTestId('ps-tree').check();
  await page.locator('[data-testid=ps-row][data-state=Z]').first().waitFor();
  await page.locator('[data-testid=ps-row][data-state=Z]').first().scrollIntoViewIfNeeded();
};
await shoot(host.url, 'processes-en-light', {
  panel: '4',
  viewport: wide,
  after: ps(async (p) => {
    await p.getByTestId('ps-row').first().click();
    await p.waitForTimeout(1200);
  }),
});
await shoot(host.url, 'processes-zombie-zh-dark', { panel: '4', scheme: 'dark', lang: 'zh-CN', viewport: wide, after: ps(zombie) });
await shoot(host.url, 'processes-zombie-en-light', {
  panel: '4',
  viewport: wide,
  after: ps(async (p) => {
    await zombie(p);
    await p.getByTestId('signal-SIGKILL').click();
  }),
});
await shoot(host.url, 'processes-labs-zh-light', { panel: '4', lang: 'zh-CN', after: ps(async (p) => p.getByTestId('ps-tab-labs').click()) });
await shoot(host.url, 'processes-connections-en-dark', {
  panel: '4',
  scheme: 'dark',
  after: ps(async (p) => {
    await p.getByTestId('ps-tab-connections').click();
    await p.getByTestId('conn-filter').fill(String(new URL(host.url).port));
    await p.getByTestId('conn-row').first().waitFor();
  }),
});
await shoot(host.url, 'processes-filter-empty-zh-light', {
  panel: '4',
  lang: 'zh-CN',
  after: ps(async (p) => p.getByTestId('ps-filter').fill('no-such-process')),
});
// the concurrency lab: blocking, threads, select past FD_SETSIZE and selectors (epoll), one run each
const loadRun = (model, conns, secs) => async (page) => {
  await page.getByTestId(`cc-model-${model}`).click();
  await page.getByTestId('cc-server-start').click();
  await page
    .getByTestId('cc-server-state')
    .filter({ hasText: /127\.0\.0\.1:\d+/ })
    .waitFor();
  await page.getByTestId('cc-conns').fill(String(conns));
  await page.getByTestId('cc-duration').fill(String(secs));
  await page.getByTestId('cc-load-start').click();
  await page.locator('[data-testid=cc-figures][data-state=running]').waitFor();
  await page.locator('[data-testid=cc-figures]:not([data-state=running])').waitFor({ timeout: 30_000 });
};
const lab = async (page) => {
  for (const [model, conns, secs] of [
    ['blocking', 20, 2],
    ['threads', 200, 2],
    ['select', 1100, 2],
    ['selectors', 1000, 3],
  ])
    await loadRun(model, conns, secs)(page);
};
await shoot(host.url, 'concurrency-en-light', { panel: '5', viewport: wide, after: lab });
await shoot(host.url, 'concurrency-zh-dark', { panel: '5', viewport: wide, scheme: 'dark', lang: 'zh-CN', after: lab });
host.child.kill();

// error state: a corrupt settings file found at start-up
writeFileSync(join(data, 'settings.json'), '{"language": "zh-CN",');
host = await serve(data);
await shoot(host.url, 'notice-en-light', { panel: '2' });
await shoot(host.url, 'notice-zh-dark', { scheme: 'dark', panel: '2', lang: 'zh-CN' });
// no packet capture (tcpdump missing): what is missing and how to allow it, in both languages
host.child.kill();
host = await serve(data, { WIRELAB_TCPDUMP: '/nonexistent/tcpdump' });
const noCapture = async (page) => {
  await page.getByTestId('experiment-normal').click();
  await page.locator('[data-testid=timeline-view][data-phase=done]').waitFor();
};
await shoot(host.url, 'timeline-no-capture-zh-light', { panel: '3', lang: 'zh-CN', after: noCapture });
await shoot(host.url, 'timeline-no-capture-en-dark', { panel: '3', scheme: 'dark', after: noCapture });
// busy / broken state: the backend goes away while the page is open
await shoot(host.url, 'disconnected-en-light', {
  panel: '3',
  after: async (page) => {
    host.child.kill();
    await page.locator('[data-state="disconnected"]').waitFor();
  },
});
await browser.close();
copyFileSync(join(outDir, 'subnet-calc-en-light.png'), join(projectRoot, 'docs', 'screenshot.png'));
copyFileSync(join(outDir, 'timeline-normal-en-light.png'), join(projectRoot, 'docs', 'screenshot-timeline.png'));
copyFileSync(join(outDir, 'processes-zombie-en-light.png'), join(projectRoot, 'docs', 'screenshot-processes.png'));
copyFileSync(join(outDir, 'concurrency-en-light.png'), join(projectRoot, 'docs', 'screenshot-concurrency.png'));
