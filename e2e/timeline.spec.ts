import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { englishSentences, serveAsNobody } from './chinese-check.ts';
import { expect, test } from './fixtures.ts';

const capture = (name: string) => fileURLToPath(new URL(`../test/fixtures/captures/${name}`, import.meta.url));

test.beforeEach(async ({ app }) => {
  await app.keyboard.press('Control+3');
  await expect(app.getByTestId('timeline-panel')).toBeVisible();
  await expect(app.getByTestId('timeline-empty')).toBeVisible();
});

test('the normal experiment draws SYN, SYN-ACK, ACK and ends the client in TIME_WAIT', async ({ app }) => {
  await app.getByTestId('experiment-normal').click();
  await expect(app.locator('[data-testid=timeline-view][data-phase=done]')).toBeVisible({ timeout: 15_000 });
  const segments = app.getByTestId('segment');
  await expect(segments.nth(0)).toHaveAttribute('data-flags', 'SYN');
  await expect(segments.nth(0)).toHaveAttribute('data-from', 'client');
  await expect(segments.nth(1)).toHaveAttribute('data-flags', 'SYN+ACK');
  await expect(segments.nth(1)).toHaveAttribute('data-from', 'server');
  await expect(segments.nth(2)).toHaveAttribute('data-flags', 'ACK');
  // Relative numbering by default: the notes' "seq = J, ack = J+1" reads 0 and 1.
  await expect(segments.nth(1)).toContainText('seq=0 ack=1');
  await expect(app.locator('[data-testid=lane-client][data-state=TIME_WAIT]')).toHaveCount(1);
  await expect(app.locator('[data-testid=lane-client][data-state=TIME_WAIT]')).toContainText(/TIME_WAIT ✓\s*\d+ s left/);
  await expect(app.locator('[data-testid=lane-server]').last()).toHaveAttribute('data-state', 'CLOSED');
  await expect(app.locator('[data-testid=kernel-state][data-side=client][data-state=TIME_WAIT]')).toHaveCount(1);
  await expect(app.getByTestId('look-for')).toContainText('three-way handshake');

  // Select the SYN-ACK from the keyboard: its whole segment, with the options and the bytes.
  await segments.nth(1).focus();
  await app.keyboard.press('Enter');
  const details = app.getByTestId('segment-details');
  await expect(details).toContainText('SYN, ACK');
  await expect(details).toContainText('MSS 65495');
  await expect(details).toContainText('never scaled in a SYN');
  await expect(app.getByTestId('hexdump')).toContainText('0000');
  // Absolute numbers on the toggle.
  await app.getByTestId('absolute-toggle').click();
  await expect(app.getByTestId('absolute-toggle')).toBeChecked();
  await expect(segments.nth(1)).not.toContainText('seq=0 ack=1');
  await expect(segments.nth(1)).toContainText(/seq=\d{3,} ack=\d{3,}/);
});

test('a closed port: SYN, RST+ACK and ECONNREFUSED; in Chinese too', async ({ app }) => {
  await app.getByTestId('language-select').selectOption('zh-CN');
  await app.getByTestId('experiment-refused').click();
  await expect(app.locator('[data-testid=timeline-view][data-phase=done]')).toBeVisible({ timeout: 15_000 });
  await expect(app.getByTestId('segment')).toHaveCount(2);
  await expect(app.getByTestId('segment').nth(1)).toHaveAttribute('data-flags', 'RST+ACK');
  await expect(app.getByTestId('sequence-diagram')).toContainText('ECONNREFUSED');
  await expect(app.getByTestId('sequence-diagram')).toContainText('重置（RST）');
  await expect(app.getByTestId('look-for')).toContainText('没有程序监听');
  // The socket's refusal is worded from its code in Chinese, not Node's "connect ECONNREFUSED …".
  await expect(app.getByTestId('sequence-diagram')).toContainText('连接被拒绝');
  await expect(app.getByTestId('sequence-diagram')).toContainText('套接字已关闭');
  expect(await englishSentences(app.getByTestId('timeline-panel'))).toEqual([]);
});

test('flow control: the zero-window experiment shows the shut window, the probes and the window opening again', async ({ app }) => {
  await app.getByTestId('experiment-zero-window').click();
  await expect(app.locator('[data-testid=timeline-view][data-phase=done]')).toBeVisible({ timeout: 15_000 });
  const diagram = app.getByTestId('sequence-diagram');
  await expect(diagram).toContainText('[zero window]');
  await expect(diagram).toContainText('[window probe]');
  await expect(diagram).toContainText('[window update]');
  await expect(app.getByTestId('look-for')).toContainText('flow control');
  // the server's zero-window ACK says win=0; its details name the badge
  const zero = app.locator('[data-testid=segment][data-from=server]', { hasText: 'zero window' }).first();
  await expect(zero).toContainText('win=0');
  await zero.click();
  await expect(app.getByTestId('segment-details')).toContainText('zero window');
  await app.getByTestId('language-select').selectOption('zh-CN');
  await expect(diagram).toContainText('[零窗口]');
  await expect(diagram).toContainText('[窗口探测]');
});

test('opening a capture file lists its connections; each draws; SVG export is the diagram', async ({ app }) => {
  await app.getByTestId('pcap-input').setInputFiles(capture('three-connections.pcap'));
  await expect(app.getByTestId('file-streams').locator('option')).toHaveCount(3);
  await expect(app.getByTestId('segment').first()).toHaveAttribute('data-flags', 'SYN');
  const firstClient = await app.getByTestId('sequence-diagram').getAttribute('aria-label');
  await app.getByTestId('file-streams').selectOption('2');
  await expect(app.getByTestId('sequence-diagram')).not.toHaveAttribute('aria-label', firstClient!);
  await expect(app.getByTestId('segment')).toHaveCount(10);
  const download = app.waitForEvent('download');
  await app.getByRole('button', { name: 'Export SVG' }).click();
  const file = await (await download).path();
  const svg = readFileSync(file, 'utf8');
  expect(svg).toMatch(/^<svg[^>]+xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  expect(svg).toContain('SYN, ACK');
  expect(svg).toContain('TIME_WAIT');
  const pngDownload = app.waitForEvent('download');
  await app.getByRole('button', { name: 'Export PNG' }).click();
  const png = readFileSync(await (await pngDownload).path());
  expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  // Drawn at twice the size for sharp slides: width from the PNG header (IHDR) = 2 × the diagram's (it follows its card).
  const width = Number(await app.getByTestId('sequence-diagram').getAttribute('width'));
  expect(png.readUInt32BE(16)).toBe(2 * width);
});

test('a truncated file shows what was read and where it broke; a non-capture is refused by name', async ({ app }) => {
  await app.getByTestId('pcap-input').setInputFiles(capture('truncated.pcap'));
  await expect(app.getByTestId('file-problem')).toContainText(/truncated \(byte \d+, after 9 packets\)/);
  await expect(app.getByTestId('segment')).toHaveCount(9);
  await app.getByTestId('pcap-input').setInputFiles({ name: 'notes.pcap', mimeType: 'application/octet-stream', buffer: Buffer.from('not a capture at all') });
  await expect(app.getByTestId('timeline-error')).toContainText('notes.pcap: not a capture file: it starts with 0x');
});

test('without packet capture it says what is missing and how to allow it, and still shows the sockets and kernel states', async ({ app, host }) => {
  const other = await host.restart({ WIRELAB_TCPDUMP: '/nonexistent/tcpdump' });
  await app.goto(other.url);
  await expect(app.locator('.app[data-ready="true"]')).toBeVisible();
  await app.keyboard.press('Control+3');
  await expect(app.getByTestId('capture-off')).toContainText('tcpdump is not installed');
  await expect(app.getByTestId('capture-off')).toContainText('setcap cap_net_raw,cap_net_admin=eip');
  await app.getByTestId('experiment-normal').click();
  await expect(app.locator('[data-testid=timeline-view][data-phase=done]')).toBeVisible({ timeout: 15_000 });
  await expect(app.getByTestId('segment')).toHaveCount(0);
  const evidence = app.getByTestId('evidence');
  await expect(evidence).toContainText('connect() returned');
  await expect(evidence).toContainText('kernel: TIME_WAIT');
  // tcpdump's own words are kept, one click away
  await expect(app.getByTestId('capture-original').first()).toContainText('/nonexistent/tcpdump not found');
  // in Chinese: the problem and the advice in Chinese, and no English sentence on screen
  await app.getByTestId('language-select').selectOption('zh-CN');
  await expect(app.getByTestId('capture-off').first()).toContainText('没有安装 tcpdump');
  await expect(app.getByTestId('capture-off').first()).toContainText('不要以 root 身份运行 Wirelab');
  await expect(app.getByTestId('evidence')).toContainText('已连接：调用 connect() 后');
  expect(await englishSentences(app.getByTestId('timeline-panel'))).toEqual([]);
});

test('capture refused to an unprivileged user, in Chinese: the refusal and the advice in Chinese, no English sentence on screen', async ({ app }) => {
  // As nobody, tcpdump may not open the interface (no CAP_NET_RAW): a real refusal, not a missing program.
  const nobody = await serveAsNobody();
  try {
    await app.goto(nobody.url);
    await expect(app.locator('.app[data-ready="true"]')).toBeVisible();
    await app.getByTestId('language-select').selectOption('zh-CN');
    await app.keyboard.press('Control+3');
    const off = app.getByTestId('capture-off');
    await expect(off).toHaveAttribute('data-code', 'CAPTURE_NOT_PERMITTED', { timeout: 15_000 });
    await expect(off).toContainText('tcpdump 没有抓包权限');
    await expect(off).toContainText('sudo setcap cap_net_raw,cap_net_admin=eip');
    // The refused experiment carries on without packets: its socket events, in Chinese.
    await app.getByTestId('experiment-refused').click();
    await expect(app.locator('[data-testid=timeline-view][data-phase=done]')).toBeVisible({ timeout: 15_000 });
    await expect(app.getByTestId('evidence')).toContainText('连接被拒绝');
    await expect(app.getByTestId('capture-off').first()).toHaveAttribute('data-code', 'CAPTURE_NOT_PERMITTED');
    expect(await englishSentences(app.getByTestId('timeline-panel'))).toEqual([]);
    // What tcpdump itself said is there for whoever opens it.
    await app.getByTestId('capture-original').first().locator('summary').click();
    await expect(app.getByTestId('capture-original').first()).toContainText(/permission|Operation not permitted/i);
  } finally {
    await nobody.stop();
  }
});

test('a capture file refused in Chinese names the file and the problem in Chinese', async ({ app }) => {
  await app.getByTestId('language-select').selectOption('zh-CN');
  await app.getByTestId('pcap-input').setInputFiles(capture('truncated.pcap'));
  await expect(app.getByTestId('file-problem')).toContainText(/文件被截断了（第 \d+ 字节处，已读 9 个报文）/);
  await app.getByTestId('pcap-input').setInputFiles({ name: 'notes.pcap', mimeType: 'application/octet-stream', buffer: Buffer.from('not a capture at all') });
  await expect(app.getByTestId('timeline-error')).toContainText('notes.pcap：不是抓包文件：它以 0x6e6f7420 开头');
  expect(await englishSentences(app.getByTestId('timeline-panel'))).toEqual([]);
});

test('a port or host typed into "Capture a port" is checked as the packet sender checks it, worded in the UI language', async ({ app }) => {
  await app.getByTestId('watch-port').fill('70000');
  await app.getByTestId('watch-port').press('Enter');
  await expect(app.locator('.field-error')).toHaveText('port: 70000 is out of range; ports go from 1 to 65535');
  await app.getByTestId('watch-port').fill('8080');
  await app.locator('.tl-watch-row input').first().fill('999.1.1.1');
  await app.getByTestId('watch-port').press('Enter');
  await expect(app.locator('.field-error')).toContainText('999');
});
