import AxeBuilder from '@axe-core/playwright';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from './fixtures.ts';

const lossy = fileURLToPath(new URL('../test/fixtures/graphs/lossy-4pct.pcap', import.meta.url));
const reading = JSON.parse(readFileSync(`${lossy}.tshark.json`, 'utf8')) as { frames: { frame: number; retransmission?: boolean }[] };

test.beforeEach(async ({ app }) => {
  await app.keyboard.press('Control+3');
  await expect(app.getByTestId('timeline-panel')).toBeVisible();
});

test('a capture over a lossy link: the tcptrace graph marks each retransmission, zooms, and exports its rows as CSV', async ({ app }) => {
  await app.getByTestId('pcap-input').setInputFiles(lossy);
  await expect(app.getByTestId('segment').first()).toHaveAttribute('data-flags', 'SYN');
  await app.getByTestId('view-graphs').click();
  const view = app.getByTestId('graph-view');
  await expect(view).toHaveAttribute('data-kind', 'tcptrace');
  // the client sent the data: it is the direction shown
  await expect(app.getByTestId('graph-direction')).toHaveValue('client');
  // as many red marks as tshark found retransmissions (all of them the client's here)
  const resent = reading.frames.filter((f) => f.retransmission).length;
  expect(resent).toBeGreaterThanOrEqual(5);
  await expect(app.getByTestId('graph-marked')).toHaveAttribute('data-count', String(resent));
  await expect(app.getByTestId('graph-marked')).toContainText(`${resent} retransmissions marked`);
  // no serious or critical WCAG 2.1 A/AA violation in the graph view (names, roles, contrast)
  const axe = await new AxeBuilder({ page: app }).include('[data-testid=graph-view]').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes[0]?.target.join(' ')}`)).toEqual([]);
  const chart = app.getByTestId('graph-chart');
  await expect(chart.locator('canvas')).toBeVisible();
  await expect(chart.locator('.u-legend')).toContainText('Retransmitted');

  // zoom: drag across the middle of the plot narrows the time axis; double-click shows all again
  const over = chart.locator('.u-over');
  // (the panel's cards can push the chart below the fold: the mouse must reach it)
  await over.scrollIntoViewIfNeeded();
  const box = (await over.boundingBox())!;
  await app.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
  await app.mouse.down();
  await app.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
  await app.mouse.up();
  const full = (await view.getAttribute('data-full'))!.split(' ').map(Number);
  await expect.poll(async () => await view.getAttribute('data-range')).not.toBe(full.join(' '));
  const [lo, hi] = (await view.getAttribute('data-range'))!.split(' ').map(Number);
  const [flo, fhi] = full;
  expect(hi! - lo!).toBeLessThan((fhi! - flo!) * 0.4);
  // the wheel zooms out again around the pointer
  await app.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
  await app.mouse.wheel(0, 400);
  await expect.poll(async () => (await view.getAttribute('data-range'))!.split(' ').map(Number)).not.toEqual([lo, hi]);

  const download = app.waitForEvent('download');
  await app.getByTestId('graph-csv').click();
  const dl = await download;
  expect(dl.suggestedFilename()).toMatch(/tcptrace-client\.csv$/);
  const rows = readFileSync(await dl.path(), 'utf8')
    .trim()
    .split('\n');
  expect(rows[0]).toBe('t,seq,seqEnd,retransmission,ack,receiveWindowEdge,sackLeft,sackRight');
  // one row per client segment carrying data or SYN/FIN, plus one per server ACK (or SACK block)
  const cells = rows.slice(1).map((r) => r.split(','));
  expect(cells.filter((c) => c[3] === '1')).toHaveLength(resent);
  expect(cells.filter((c) => c[1] !== '').length).toBeGreaterThan(200);
  expect(cells.filter((c) => c[6] !== '').length).toBeGreaterThan(10);

  // the other graphs draw from the same stream; RTT in ms
  await app.getByTestId('graph-rtt').click();
  await expect(view).toHaveAttribute('data-kind', 'rtt');
  await expect(chart.locator('canvas')).toBeVisible();
  const svgDownload = app.waitForEvent('download');
  await app.getByTestId('graph-svg').click();
  const svg = readFileSync(await (await svgDownload).path(), 'utf8');
  expect(svg).toMatch(/^<svg[^>]+xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  expect(svg).toContain('RTT (ms)');
  const pngDownload = app.waitForEvent('download');
  await app.getByTestId('graph-png').click();
  const png = readFileSync(await (await pngDownload).path());
  expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
});
