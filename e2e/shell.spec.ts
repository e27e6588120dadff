import { writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { englishSentences } from './chinese-check.ts';
import { expect, test } from './fixtures.ts';

const panels = [
  { key: '1', id: 'sender', en: 'Packet sender', zh: '发包工具', testId: 'empty-sender' },
  { key: '2', id: 'subnet', en: 'Subnet calculator', zh: '子网计算器', testId: 'subnet-panel' },
  { key: '3', id: 'timeline', en: 'Handshake timeline', zh: '握手时间线', testId: 'timeline-panel' },
  { key: '4', id: 'processes', en: 'Processes', zh: '进程', testId: 'processes-panel' },
];

test('the shell loads connected, with the URL token swapped for a cookie', async ({ app, host }) => {
  expect(app.url()).toBe(`${host.origin}/`);
  await expect(app.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');
  await expect(app.getByTestId('status-bar')).toContainText('Browser host');
  await expect(app).toHaveTitle('Packet sender — Wirelab');
});

test('every panel is reachable by click', async ({ app }) => {
  for (const p of panels) {
    await app
      .locator('.nav')
      .getByRole('tab', { name: new RegExp(p.en) })
      .click();
    await expect(app.locator('.nav').getByRole('tab', { name: new RegExp(p.en) })).toHaveAttribute('aria-selected', 'true');
    await expect(app.getByTestId(p.testId)).toBeVisible();
    await expect(app.getByRole('heading', { level: 1 })).toHaveText(p.en);
  }
});

test('Ctrl+1…4 switch panels', async ({ app }) => {
  for (const p of [...panels].reverse()) {
    await app.keyboard.press(`Control+${p.key}`);
    await expect(app.getByTestId(p.testId)).toBeVisible();
    await expect(app).toHaveTitle(`${p.en} — Wirelab`);
  }
});

test('switching to Chinese changes the visible text and survives a reload', async ({ app }) => {
  await app.getByTestId('language-select').selectOption('zh-CN');
  await expect(app.getByRole('tab', { name: /子网计算器/ })).toBeVisible();
  await expect(app.getByTestId('connection-state')).toHaveText('后端已连接');
  await expect(app.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await app.keyboard.press('Control+2');
  await app.reload();
  await expect(app.locator('.app[data-ready="true"]')).toBeVisible();
  await expect(app.getByRole('heading', { level: 1 })).toHaveText('子网计算器');
  await expect(app.getByRole('tab', { name: /发包工具/ })).toBeVisible();
  // and back
  await app.getByTestId('language-select').selectOption('en');
  await expect(app.getByRole('heading', { level: 1 })).toHaveText('Subnet calculator');
});

test('the theme follows the OS and an override is remembered', async ({ browser, host }) => {
  const context = await browser.newContext({ colorScheme: 'dark' });
  const page = await context.newPage();
  await page.goto(host.url);
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.getByTestId('theme-light').click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await page.reload();
  await expect(page.locator('.app[data-ready="true"]')).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await expect(page.getByTestId('theme-light')).toHaveAttribute('aria-checked', 'true');
  await context.close();
});

test('a corrupt settings file is moved aside and the user is told', async ({ page, host }) => {
  writeFileSync(join(host.dataDir, 'settings.json'), '{"language": "zh-CN",');
  const restarted = await host.restart();
  await page.goto(restarted.url);
  const notice = page.getByTestId('notice');
  await expect(notice).toBeVisible();
  await expect(notice).toContainText('could not be read');
  const backups = readdirSync(host.dataDir).filter((f) => f.startsWith('settings.json.corrupt-'));
  expect(backups).toHaveLength(1);
  await expect(notice).toContainText(backups[0]!);
  await notice.getByRole('button', { name: 'Dismiss' }).click();
  await expect(notice).toHaveCount(0);
  await page.reload();
  await expect(page.locator('.app[data-ready="true"]')).toBeVisible();
  await expect(page.getByTestId('notice')).toHaveCount(0);
});

test('a corrupt packet library is named in Chinese from its code (PACKETS_CORRUPT), with no English sentence', async ({ page, host }) => {
  writeFileSync(join(host.dataDir, 'settings.json'), '{"language": "zh-CN"}');
  writeFileSync(join(host.dataDir, 'packets.json'), '[{"oops"');
  const restarted = await host.restart();
  await page.goto(restarted.url);
  const notice = page.getByTestId('notice');
  await expect(notice).toHaveAttribute('data-code', 'PACKETS_CORRUPT');
  const backup = readdirSync(host.dataDir).find((f) => f.startsWith('packets.json.corrupt-'))!;
  await expect(notice).toContainText(`无法读取已保存的数据包文件。它已被移到 ${join(host.dataDir, backup)}`);
  expect(await englishSentences(page.locator('.notices'))).toEqual([]);
});

test('when the backend stops, session tabs lose their green dots: their state is unknown until it is back', async ({ app, host }) => {
  await app.getByTestId('playground').click();
  await expect(app.getByTestId('session-tab')).toHaveCount(2);
  const dots = app.getByTestId('session-dot');
  for (const dot of await dots.all()) await expect(dot).toHaveAttribute('data-state', 'open');
  await expect(dots.first()).toHaveClass(/\bconnected\b/);
  const restarting = host.restart();
  await expect(app.getByTestId('connection-state')).toHaveAttribute('data-state', 'disconnected');
  for (const dot of await dots.all()) {
    await expect(dot).toHaveAttribute('data-state', 'unknown');
    await expect(dot).not.toHaveClass(/\bconnected\b/);
  }
  await expect(app.getByTestId('session-state')).toHaveText('state unknown (no backend)');
  await restarting;
});

test('the UI says so when the backend goes away', async ({ app, host }) => {
  await expect(app.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');
  // restart() stops the server first (the new one gets another port); the page notices the lost socket
  const restarting = host.restart();
  await expect(app.getByTestId('connection-state')).toHaveAttribute('data-state', 'disconnected');
  await expect(app.getByTestId('connection-state')).toHaveText('Backend disconnected — retrying');
  await expect(app.getByTestId('notice-disconnected')).toContainText('open the new address');
  await restarting;
});
