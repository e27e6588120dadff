import { createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from './fixtures.ts';

const run = promisify(execFile);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

test('a TCP server from the new-session card saves an FTP-homework upload to a host folder, and the log says so in the UI language', async ({ app }) => {
  const save = await mkdtemp(join(tmpdir(), 'wirelab-e2e-save-'));
  const src = join(await mkdtemp(join(tmpdir(), 'wirelab-e2e-src-')), 'a.bin');
  const bytes = randomBytes(100_024);
  await writeFile(src, bytes);
  await app.keyboard.press('Control+1');
  await app.locator('#ns-kind').selectOption('tcp-server');
  await app.locator('#ns-port').fill('0');
  await app.locator('#ns-direction').selectOption('split');
  await app.locator('#ns-framingIn').selectOption('header-json');
  await app.locator('#ns-framingOut').selectOption('raw');
  await app.locator('#ns-size-key').fill('filesize');
  await app.locator('#ns-save-dir').fill(save);
  await app.getByTestId('open-session').click();
  await expect(app.getByTestId('session-state')).toHaveText('open');
  const port = (await app.getByTestId('session-head').locator('.mono').first().innerText()).split(':').at(-1)!;
  await run('python3', ['test/peers/ftp_upload_client.py', '127.0.0.1', port.trim(), src], { timeout: 30_000 });
  const saved = app.locator('[data-testid="log-marker"][data-code="SENDER_SAVED"]');
  await expect(saved).toContainText(`saved a.bin (100,024 bytes, sha256 ${sha(bytes)})`);
  expect(sha(await readFile(join(save, 'a.bin')))).toBe(sha(bytes));
});

test('the new-session card names a bad local address and a missing save folder; the composer computes the header that will go', async ({ app }) => {
  await app.keyboard.press('Control+1');
  await app.locator('#ns-kind').selectOption('tcp-client');
  await app.locator('#ns-port').fill('9');
  await app.locator('#ns-bind').fill('a:b:c');
  await app.getByTestId('open-session').click();
  await expect(app.getByTestId('ns-bind-error')).toContainText('[HOST:]PORT');
  await app.locator('#ns-bind').fill('');
  await app.locator('#ns-kind').selectOption('tcp-server');
  await app.locator('#ns-port').fill('0');
  await app.locator('#ns-save-dir').fill('/no/such/folder');
  await app.getByTestId('open-session').click();
  await expect(app.getByTestId('ns-save-dir-error')).toContainText('/no/such/folder');
  // the playground with header-json: the composer shows the header and every length
  await app.locator('#ns-save-dir').fill('');
  await app.locator('#ns-framing').selectOption('header-json');
  await app.locator('#ns-size-key').fill('filesize');
  await app.getByTestId('playground').click();
  await app.locator('#composer-text').fill('hello');
  await app.locator('#composer-header').fill('{"operate": "upload", "filename": "a.bin"}');
  await expect(app.getByTestId('header-preview')).toContainText('{"operate":"upload","filename":"a.bin","filesize":5}');
  await expect(app.getByTestId('header-preview')).toContainText('= 61 bytes');
  await app.getByTestId('send').click();
  await expect(app.getByTestId('log-chunk').filter({ hasText: '{"operate":"upload","filename":"a.bin","filesize":5}hello' }).first()).toBeVisible();
});
