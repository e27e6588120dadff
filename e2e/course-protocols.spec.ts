import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from './fixtures.ts';

/** A program run to its end (bounded by its own timeouts: curl's --max-time, the peers' 2 s). */
function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.on('exit', () => resolve(out));
    c.on('error', reject);
  });
}

test.beforeEach(async ({ app }) => {
  await app.keyboard.press('Control+1');
  await expect(app.getByTestId('sender-panel')).toBeVisible();
});

test('a student serves a folder over HTTP from the new-session card and reads each request parsed in the log', async ({ app }) => {
  const dir = mkdtempSync(join(tmpdir(), 'wirelab-e2e-http-'));
  writeFileSync(join(dir, 'index.html'), '<h1>hi</h1>\n');
  await app.locator('#ns-kind').selectOption('tcp-server');
  await app.locator('#ns-port').fill('0');
  await app.locator('#ns-reply').selectOption('http-dir');
  // the HTTP server speaks raw bytes: the card picked that framing itself
  await expect(app.locator('#ns-framing')).toHaveValue('raw');
  await app.locator('#ns-dir').fill(dir);
  await app.getByTestId('open-session').click();
  await expect(app.getByTestId('session-state')).toHaveText('open');
  const local = (await app.getByTestId('session-head').locator('.mono').first().textContent())!;
  const port = local.split(':').at(-1)!;
  expect(await run('curl', ['-s', '--max-time', '10', `http://127.0.0.1:${port}/`, '-H', 'X-Course: 003'])).toBe('<h1>hi</h1>\n');
  const http = app.getByTestId('log-messages').getByTestId('log-http');
  await expect(http).toHaveCount(1);
  await expect(http.getByTestId('http-outcome')).toHaveText('GET / → 200 (12 bytes)');
  await expect(http.getByTestId('http-request-line')).toContainText('GET / HTTP/1.1');
  await expect(http.getByTestId('http-request-line')).toContainText('X-Course: 003');
  rmSync(dir, { recursive: true, force: true });
});

test('a missing folder is refused in Chinese naming the field; a server can challenge its clients', async ({ app }) => {
  await app.getByTestId('language-select').selectOption('zh-CN');
  await app.locator('#ns-kind').selectOption('tcp-server');
  await app.locator('#ns-port').fill('0');
  await app.locator('#ns-reply').selectOption('serve-dir');
  await app.locator('#ns-dir').fill('/nonexistent/wirelab-e2e');
  await app.getByTestId('open-session').click();
  await expect(app.locator('#ns-dir-error')).toHaveText('文件夹：/nonexistent/wirelab-e2e 不存在');
  await app.locator('#ns-reply').selectOption('echo');
  await app.locator('#ns-challenge').selectOption('md5');
  await app.locator('#ns-challenge-key').fill('alexbigsb');
  await app.getByTestId('open-session').click();
  await expect(app.getByTestId('session-state')).toHaveText('已打开');
  // the notes' own client with the notes' own wrong key (alexbigs against the server's alexbigsb)
  const local = (await app.getByTestId('session-head').locator('.mono').first().textContent())!;
  await run('python3', ['test/peers/auth_client.py', '127.0.0.1', local.split(':').at(-1)!, 'alexbigs', 'md5', 'hello']);
  await expect(app.locator('[data-testid=log-marker][data-code=CHALLENGE_FAILED]')).toContainText('md5 应答错误（密钥不同？）：已告知客户端并断开');
});
