import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { englishSentences, serveAsNobody } from './chinese-check.ts';
import { expect, test } from './fixtures.ts';

test.beforeEach(async ({ app }) => {
  await app.keyboard.press('Control+4');
  await expect(app.getByTestId('processes-panel')).toBeVisible();
  await expect(app.getByTestId('ps-row').first()).toBeVisible();
});

test('the zombie lab: a Z row under its parent in the tree, and stopping the lab removes both', async ({ app }) => {
  await app.getByTestId('ps-tab-labs').click();
  await app.getByTestId('lab-start-zombie').click();
  const running = app.getByTestId('lab-zombie').getByTestId('lab-running');
  await expect(running).toContainText(/pids \d+, \d+/);
  const [parent, zombie] = ((await running.textContent())!.match(/\d+/g) ?? []).map(Number) as [number, number];
  await app.getByTestId('lab-zombie').getByRole('button', { name: 'Show in table' }).click();
  await expect(app.getByTestId('ps-tree')).toBeChecked();
  const z = app.locator(`[data-testid=ps-row][data-pid="${zombie}"]`);
  await expect(z).toHaveAttribute('data-state', 'Z');
  await expect(z).toHaveAttribute('data-ppid', String(parent));
  // Under its parent: the very next row, one level deeper.
  const p = app.locator(`[data-testid=ps-row][data-pid="${parent}"]`);
  const depth = Number(await p.getAttribute('data-depth'));
  await expect(z).toHaveAttribute('data-depth', String(depth + 1));
  await expect(z).toContainText('zombie');
  await expect(app.getByTestId('ps-details')).toContainText(`${zombie} sleep`);
  await app.getByTestId('ps-tab-labs').click();
  await app.getByTestId('lab-stop-zombie').click();
  await app.getByTestId('ps-tab-processes').click();
  await expect(app.locator(`[data-testid=ps-row][data-pid="${zombie}"]:not(.gone)`)).toHaveCount(0, { timeout: 6000 });
});

test('stop and continue a process, with a confirmation; the state follows', async ({ app }) => {
  await app.getByTestId('ps-tab-labs').click();
  await app.getByTestId('lab-start-stopped').click();
  const running = app.getByTestId('lab-stopped').getByTestId('lab-running');
  const pid = Number(((await running.textContent())!.match(/\d+/) ?? [])[0]);
  await app.getByTestId('lab-stopped').getByRole('button', { name: 'Show in table' }).click();
  const row = app.locator(`[data-testid=ps-row][data-pid="${pid}"]`);
  await expect(row).toHaveAttribute('data-state', 'T');
  await app.getByTestId('signal-SIGCONT').click();
  await expect(app.getByTestId('signal-confirm')).toContainText(`Send SIGCONT to ${pid} (sleep)?`);
  await app.getByTestId('signal-yes').click();
  await expect(row).toHaveAttribute('data-state', 'S');
  await app.getByTestId('signal-SIGKILL').click();
  await app.getByTestId('signal-yes').click();
  await expect(app.locator(`[data-testid=ps-row][data-pid="${pid}"]:not(.gone)`)).toHaveCount(0, { timeout: 6000 });
  await expect(app.getByTestId('ps-message')).toContainText(`SIGKILL → ${pid}`);
});

test('connections: "who holds port N?" is one search, in Chinese too', async ({ app }) => {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  try {
    await app.getByTestId('language-select').selectOption('zh-CN');
    await app.getByTestId('ps-tab-connections').click();
    await app.getByTestId('conn-filter').fill(String(port));
    const rowLocator = app.getByTestId('conn-row');
    await expect(rowLocator).toHaveCount(1);
    await expect(rowLocator).toContainText(`127.0.0.1:${port}`);
    await expect(rowLocator).toContainText('LISTEN');
    await expect(rowLocator).toContainText(`(${process.pid})`);
  } finally {
    srv.close();
  }
});

test('filter, sort and an empty result are all explained', async ({ app }) => {
  await app.getByTestId('ps-filter').fill('no-such-process-anywhere');
  await expect(app.getByTestId('ps-rows')).toContainText('No process matches “no-such-process-anywhere”.');
  await app.getByTestId('ps-filter').fill('');
  await app.getByRole('columnheader', { name: /^PID/ }).click();
  const first = Number(await app.getByTestId('ps-row').first().getAttribute('data-pid'));
  const second = Number(await app.getByTestId('ps-row').nth(1).getAttribute('data-pid'));
  expect(first).toBeLessThan(second);
  await expect(app.getByTestId('ps-summary')).toContainText(/\d+ processes · sample took [\d.]+ ms/);
});

test('a signal the OS refuses (EPERM: another user owns the process) is explained in Chinese, with no English sentence', async ({ app }) => {
  // Wirelab runs as nobody; the sleep belongs to root (this test), so kill(2) answers EPERM.
  const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
  const nobody = await serveAsNobody();
  try {
    await app.goto(nobody.url);
    await expect(app.locator('.app[data-ready="true"]')).toBeVisible();
    await app.getByTestId('language-select').selectOption('zh-CN');
    await app.keyboard.press('Control+4');
    await app.getByTestId('ps-filter').fill(String(sleeper.pid));
    const row = app.locator(`[data-testid=ps-row][data-pid="${sleeper.pid}"]`);
    await row.click();
    await app.getByTestId('signal-SIGTERM').click();
    await app.getByTestId('signal-yes').click();
    const message = app.getByTestId('ps-message');
    await expect(message).toHaveAttribute('data-code', 'EPERM');
    await expect(message).toContainText(`不允许向 ${sleeper.pid} 发送 SIGTERM：它属于另一个用户`);
    expect(await englishSentences(app.getByTestId('processes-panel'))).toEqual([]);
    expect(sleeper.exitCode, 'the process was not signalled').toBeNull();
    // Wirelab's own refusal (init) is worded from its code too.
    await app.getByTestId('ps-filter').fill('1');
    await app.locator('[data-testid=ps-row][data-pid="1"]').click();
    await app.getByTestId('signal-SIGTERM').click();
    await app.getByTestId('signal-yes').click();
    await expect(message).toHaveAttribute('data-code', 'SIGNAL_REFUSED_INIT');
    await expect(message).toContainText('Wirelab 不会向进程 1（init）发送信号');
  } finally {
    sleeper.kill('SIGKILL');
    await nobody.stop();
  }
});
