import { expect, test } from './fixtures.ts';

/**
 * The concurrency panel against the real browser host: a real model server (python3's
 * selectors model, or the Node one where python3 is missing) under a small real load.
 */
test('run a model under load with CPU work per request: live figures, the chart, the lesson and the comparison table, in English and Chinese', async ({
  app,
}) => {
  await app.keyboard.press('Control+5');
  await expect(app.getByTestId('concurrency-panel')).toBeVisible();
  const python = (await app.getByTestId('cc-no-python').count()) === 0;
  const model = python ? 'selectors' : 'node';
  await app.getByTestId(`cc-model-${model}`).click();
  // Its source is readable in the panel.
  await app.getByTestId('cc-source-toggle').click();
  await expect(app.getByTestId('cc-source')).toContainText(python ? 'selectors.DefaultSelector()' : 'net.createServer');
  await app.getByTestId('cc-source-toggle').click();

  // CPU work per request, given when the server starts: the server says it, and the table's row.
  await app.getByTestId('cc-work-ms').fill('2');
  await app.getByTestId('cc-server-start').click();
  await expect(app.getByTestId('cc-server-state')).toContainText(/listens on 127\.0\.0\.1:\d+ \(pid \d+\) · 2 ms of CPU work per request/);
  await app.getByTestId('cc-conns').fill('20');
  await app.getByTestId('cc-duration').fill('2');
  await app.getByTestId('cc-load-start').click();
  // Live: the chart gets points while the run goes.
  await expect(app.getByTestId('cc-figures')).toHaveAttribute('data-state', 'running');
  await expect.poll(async () => Number(await app.getByTestId('cc-chart').getAttribute('data-points')), { timeout: 10_000 }).toBeGreaterThan(1);
  await expect(app.getByTestId('cc-figures')).toHaveAttribute('data-state', 'done', { timeout: 15_000 });
  // The server's side over time: open connections, threads, memory.
  expect(Number(await app.getByTestId('cc-server-chart').getAttribute('data-points'))).toBeGreaterThan(1);
  await expect(app.getByTestId('cc-server-chart')).toContainText('Open connections (max 20)');
  await expect(app.getByTestId('cc-established')).toHaveText('20 / 20');
  await expect(app.getByTestId('cc-failed')).toHaveText('0');
  await expect(app.getByTestId('cc-p99')).toHaveText(/^\d+(\.\d+)? ms$/);
  expect(Number((await app.getByTestId('cc-answered').textContent())!.replace(/\D/g, ''))).toBeGreaterThan(100);
  await expect(app.getByTestId('cc-lesson')).toContainText(python ? 'epoll' : 'libuv');
  const rows = app.getByTestId('cc-run-row');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(python ? 'selectors (epoll / kqueue)' : 'Node event loop');
  await expect(rows.first().getByTestId('cc-run-work')).toHaveText('2 ms');
  await expect(rows.first().getByTestId('cc-run-cpu')).toHaveText(/^\d+%$/);
  await expect(app.getByTestId('cc-server-cpu')).toHaveText(/^\d+%$/);
  await expect(app.getByTestId('cc-lesson')).toContainText('CPU work per request');

  await app.getByTestId('language-select').selectOption('zh-CN');
  await expect(app.getByTestId('cc-lesson')).toContainText(python ? '一个线程撑住一万个连接' : '一万个连接');
  await expect(app.getByTestId('cc-runs')).toContainText('请求/秒');
  await expect(rows.first()).toContainText(python ? 'selectors 多路复用' : 'Node 事件循环');
  await expect(app.getByTestId('cc-server-state')).toContainText('正在监听 127.0.0.1:');
  await expect(app.getByTestId('cc-server-state')).toContainText('每个请求 2 毫秒 CPU 计算');
  await expect(app.getByTestId('cc-runs')).toContainText('每请求计算');
  await app.getByTestId('cc-server-stop').click();
  await expect(app.getByTestId('cc-server-state')).toContainText('服务器已退出');
});
