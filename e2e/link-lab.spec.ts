import { englishSentences } from './chinese-check.ts';
import { expect, test } from './fixtures.ts';

// The emulated link through the browser host: real namespaces, Wirelab's own client and server.
test.beforeEach(async ({ app }) => {
  await app.keyboard.press('Control+3');
  await expect(app.getByTestId('link-lab')).toBeVisible();
  await expect(app.getByTestId('link-run')).toBeVisible({ timeout: 15_000 });
});

test('the lost-SYN experiment draws the SYN sent twice, a second apart, with its lesson', async ({ app }) => {
  await app.getByTestId('link-exp-lost-syn').click();
  await expect(app.getByTestId('link-lesson')).toContainText('initial RTO (1 s)');
  await expect(app.getByTestId('link-rate')).toHaveValue('none');
  await app.getByTestId('link-run').click();
  await expect(app.locator('[data-testid=timeline-view][data-phase=done]')).toBeVisible({ timeout: 30_000 });
  const segments = app.getByTestId('segment');
  await expect(segments.nth(0)).toHaveAttribute('data-flags', 'SYN');
  await expect(segments.nth(1)).toHaveAttribute('data-flags', 'SYN');
  await expect(segments.nth(1)).toHaveAttribute('data-from', 'client');
  await expect(segments.nth(2)).toHaveAttribute('data-flags', 'SYN+ACK');
  // Captured at both ends: the first SYN never reached the server, and the diagram says so (and only of it).
  await expect(segments.nth(0)).toHaveAttribute('data-lost', 'true');
  await expect(segments.nth(0).getByTestId('lost-on-link')).toHaveText(/lost on the link/);
  await expect(segments.nth(0).getByTestId('lost-cross')).toHaveCount(1);
  await expect(app.locator('[data-testid=segment][data-lost]')).toHaveCount(1);
  await expect(app.getByTestId('link-lost')).toHaveText(
    /^Client sent \d+ segments, lost on the link 1 \([\d.]+ %\); loss set to 0 %\. The lesson itself drops the first SYN\.$/,
  );
  await segments.nth(0).click();
  await expect(app.getByTestId('segment-details')).toContainText('lost on the link');
  await segments.nth(1).click();
  await expect(app.getByTestId('segment-details')).toContainText(/arrived after \d+\.\d{3} ms/);
  await expect(app.getByTestId('timeline-source').first()).toContainText('Lost SYN');
  await expect(app.getByTestId('look-for')).toContainText(/runs out\. \(\d+ TCP_INFO samples of the sender\)/);
});

test('the lost handshake ACK: the server lane, from the server’s own capture, stays SYN_RCVD until the second ACK arrives', async ({ app }) => {
  await app.getByTestId('link-exp-lost-ack').click();
  await app.getByTestId('link-run').click();
  await expect(app.locator('[data-testid=timeline-view][data-phase=done]')).toBeVisible({ timeout: 30_000 });
  const segments = app.getByTestId('segment');
  await expect(segments.nth(2)).toHaveAttribute('data-lost', 'true');
  await expect(segments.nth(3)).toHaveAttribute('data-flags', 'SYN+ACK');
  await expect(segments.nth(3)).toHaveAttribute('data-from', 'server');
  const top = async (side: 'client' | 'server', state: string) =>
    Number(await app.locator(`[data-testid=lane-${side}][data-state=${state}] rect`).first().getAttribute('y'));
  const resent = (await segments.nth(3).boundingBox())!;
  const svg = (await app.getByTestId('sequence-diagram').boundingBox())!;
  // The client's lane turns ESTABLISHED at the first SYN+ACK; the server's only below the resent one (inferred, it was one row under the client's).
  expect(await top('client', 'ESTABLISHED')).toBeLessThan(resent.y - svg.y);
  expect(await top('server', 'ESTABLISHED')).toBeGreaterThan(resent.y - svg.y);
  await expect(app.locator('[data-testid=lane-server][data-state=SYN_RCVD]')).toHaveCount(1);
  await expect(app.getByTestId('look-for')).toContainText('Each lane is drawn from its own end’s capture');
});

test('what the server sent and the link lost is drawn from the server’s side and counted', async ({ app }) => {
  await app.getByTestId('link-exp-slow').click();
  await app.getByTestId('link-rate').fill('10mbit');
  // 30 % of what the server sends is dropped: of its ~40 segments, none lost has odds of about one in a million.
  await app.getByTestId('link-reverseLoss').fill('30');
  await app.getByTestId('link-transfer').fill('64KiB');
  await app.getByTestId('link-run').click();
  await expect(app.locator('[data-testid=timeline-view][data-phase=done]')).toBeVisible({ timeout: 60_000 });
  const text = (await app.getByTestId('link-lost').textContent()) ?? '';
  const m = /Server sent (\d+), lost on the link (\d+) /.exec(text);
  expect(m, text).not.toBeNull();
  const lost = Number(m![2]);
  expect(lost).toBeGreaterThan(0);
  const drawn = app.locator('[data-testid=segment][data-from=server][data-lost=true]');
  await expect(drawn).toHaveCount(lost);
  await expect(drawn.first().getByTestId('lost-cross')).toHaveCount(1);
  await expect(drawn.first().getByTestId('lost-on-link')).toHaveText(/lost on the link/);
  await drawn.first().click();
  await expect(app.getByTestId('segment-details')).toContainText('lost on the link');
});

test('a bad rate names the field and the rule; the lessons and settings read in Chinese', async ({ app }) => {
  await app.getByTestId('link-rate').fill('fast');
  await app.getByTestId('link-run').click();
  await expect(app.getByTestId('link-error')).toContainText('rate: a bit rate such as 500kbit');
  await app.getByTestId('language-select').selectOption('zh-CN');
  await app.getByTestId('link-exp-slow').click();
  await expect(app.getByTestId('link-lesson')).toContainText('缓冲区膨胀');
  await expect(app.getByTestId('link-rate')).toHaveValue('2mbit');
  expect(await englishSentences(app.getByTestId('link-lab'))).toEqual([]);
});
