import { createConnection, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';

// Issue 11, item 4: in Chinese the packet sender says everything in Chinese — the codes it is
// sent are worded by the renderer's catalogs, no English sentence comes through.

/** Three English words in a row: a sentence the catalogs did not word (errno names, hex and addresses are fine). */
const englishSentence = /\b[a-z]{2,}\s+[a-z]{2,}\s+[a-z]{2,}\b/i;

async function saysInChinese(l: Locator, expected: string | RegExp): Promise<void> {
  await expect(l).toContainText(expected);
  const text = (await l.textContent()) ?? '';
  expect(text, text).toMatch(/[\u4e00-\u9fff]/);
  expect(text, text).not.toMatch(englishSentence);
}

async function openForm(app: Page, kind: string, host: string, port: string, framing = 'raw'): Promise<void> {
  await app.locator('#ns-kind').selectOption(kind);
  await app.locator('#ns-host').fill(host);
  await app.locator('#ns-port').fill(port);
  await app.locator('#ns-framing').selectOption(framing);
  await app.getByTestId('open-session').click();
}

test.beforeEach(async ({ app }) => {
  await app.keyboard.press('Control+1');
  await expect(app.getByTestId('sender-panel')).toBeVisible();
  await app.getByTestId('language-select').selectOption('zh-CN');
  await expect(app.locator('html')).toHaveAttribute('lang', 'zh-CN');
});

test('bad host, bad port, bad hex, a refused connection and a framing error are all said in Chinese', async ({ app }) => {
  await openForm(app, 'tcp-client', '127.0.0.1', '70000');
  await saysInChinese(app.locator('#ns-port-error'), '70000 超出范围');
  await openForm(app, 'tcp-client', '999.1.1.1', '80');
  await saysInChinese(app.locator('#ns-host-error'), '超过了 255');
  await openForm(app, 'tcp-client', 'bad_host!', '80');
  await saysInChinese(app.locator('#ns-host-error'), '不是合法的主机名片段');

  // a refused connection: a port nobody listens on any more
  const gone = createServer();
  await new Promise<void>((r) => gone.listen(0, '127.0.0.1', r));
  const closedPort = (gone.address() as AddressInfo).port;
  await new Promise((r) => gone.close(r));
  await openForm(app, 'tcp-client', '127.0.0.1', String(closedPort));
  await saysInChinese(app.getByTestId('session-error'), 'ECONNREFUSED');

  // a server framed by a 4-byte length: a peer announcing 2 GiB is refused, and the log says why
  await openForm(app, 'tcp-server', '127.0.0.1', '0', 'len32le');
  await expect(app.getByTestId('session-tab')).toHaveCount(1);
  const port = Number((await app.getByTestId('session-tab').locator('.mono').textContent())!.split(':').at(-1));
  const peer = createConnection({ host: '127.0.0.1', port });
  await new Promise<void>((r) => peer.once('connect', () => r()));
  peer.write(Buffer.from([0xff, 0xff, 0xff, 0x7f, 1, 2, 3]));
  const marker = app.locator('[data-testid=log-marker][data-code=FRAME_TOO_LARGE]');
  await saysInChinese(marker, '超过 16777216 字节的上限');
  await expect(marker).toContainText('关闭这个连接');
  peer.destroy();

  // bad hex in the composer (checked by the backend's preview, worded here)
  await app.getByTestId('mode-hex').click();
  await app.locator('#composer-text').fill('48 6g');
  await saysInChinese(app.locator('#composer-text-error'), '“g”不是十六进制数字');

  // markers: connect and close of a client session, in Chinese
  await openForm(app, 'tcp-client', '127.0.0.1', String(port), 'len32le');
  await expect(app.getByTestId('session-tab')).toHaveCount(2);
  await saysInChinese(app.locator('[data-testid=log-marker][data-code=SENDER_CONNECTED]'), '来自 127.0.0.1:');
});
