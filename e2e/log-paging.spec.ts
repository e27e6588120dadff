import { connect, type Socket } from 'node:net';
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';

/**
 * Scrolling back through a session's whole log: a real TCP server session of the browser host
 * receives 20,000 lines from a Node peer (this test), its page holds a window of 10,000 (Keep),
 * and the messages column pages older entries in as it reaches the top, the row being read
 * staying where it was, down to "Start of the log"; scrolling down again reads newer ones until
 * it follows the live tail.
 */

const total = 20_000;
const line = (i: number) => `msg ${String(i).padStart(5, '0')}`;

async function openLineServer(app: Page): Promise<number> {
  await app.keyboard.press('Control+1');
  await expect(app.getByTestId('sender-panel')).toBeVisible();
  await app.locator('#ns-kind').selectOption('tcp-server');
  await app.locator('#ns-port').fill('0');
  await app.locator('#ns-framing').selectOption('line');
  await app.getByTestId('open-session').click();
  await expect(app.getByTestId('session-tab')).toHaveCount(1);
  // Keep applies to logs started or cleared from now on
  await app.getByTestId('log-capacity').selectOption('10000');
  await app.getByRole('button', { name: 'Clear log', exact: true }).click();
  const local = (await app.getByTestId('session-head').locator('.mono').first().textContent())!;
  return Number(local.split(':').at(-1));
}

function peer(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

/**
 * The 20,000 lines in ten writes 200 ms apart: the backend logs at most 100,000 events and 4 MiB
 * of previews a second per session (log-budget.ts), and one burst of a loaded CI machine can pass
 * that, leaving lines counted but not logged.
 */
async function sendLines(s: Socket): Promise<void> {
  const per = total / 10;
  for (let k = 0; k < 10; k++) {
    s.write(Array.from({ length: per }, (_, i) => line(k * per + i + 1) + '\n').join(''));
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * A line server that received all `total` lines from a peer, its messages column following the
 * tail (the newest line shown); `body` runs with that column, its scroller and the peer's socket, and the peer ends after.
 */
async function withTailedLog(app: Page, body: (column: Locator, scroller: Locator, s: Socket) => Promise<void>): Promise<void> {
  const port = await openLineServer(app);
  const s = await peer(port);
  try {
    await sendLines(s);
    const column = app.getByTestId('log-messages');
    // following the tail: the newest line is shown
    await expect(column.getByTestId('log-text').filter({ hasText: line(total) })).toBeVisible({ timeout: 30_000 });
    await body(column, column.locator('.log-scroll'), s);
  } finally {
    s.destroy();
  }
}

/**
 * The first row whose top is inside the scroller's viewport after moving the scroller to
 * `scrollTop`, read in the same task (before the page reacts to the scroll). It first scrolls to
 * just below the edge that pages older entries in, so the rows there are rendered.
 */
async function scrollAndRead(scroller: Locator, scrollTop: number): Promise<{ text: string; top: number } | null> {
  await scroller.evaluate((el) => (el.scrollTop = 400));
  await expect.poll(() => scroller.evaluate((el) => el.querySelectorAll('[data-testid=log-message]').length)).toBeGreaterThan(0);
  await scroller.page().waitForTimeout(100);
  return scroller.evaluate((el, y) => {
    el.scrollTop = y;
    const box = el.getBoundingClientRect();
    const rows = [...el.querySelectorAll('[data-testid=log-message] [data-testid=log-text]')]
      .map((t) => ({ text: t.textContent ?? '', top: t.closest('[data-testid=log-message]')!.getBoundingClientRect().top }))
      .filter((r) => r.top >= box.top && r.top < box.bottom)
      .sort((a, b) => a.top - b.top);
    return rows[0] ?? null;
  }, scrollTop);
}

test('scrolling to the top pages older entries in, keeps the row being read in place, and stops at the start of the log', async ({ app }) => {
  test.setTimeout(120_000);
  await withTailedLog(app, async (column, scroller, s) => {
    const edge = column.getByTestId('log-edge-start');
    await expect(edge).toHaveAttribute('data-state', 'more');

    let pages = 0;
    let keptInPlace = 0;
    for (; pages < 60 && (await edge.getAttribute('data-state')) !== 'start'; pages++) {
      // near the top: the row under the viewport's top edge is what the user is reading
      const before = await scrollAndRead(scroller, 60);
      expect(before, 'a row at the top of the viewport').not.toBeNull();
      await expect(edge).not.toHaveAttribute('data-state', 'loading', { timeout: 15_000 });
      // older entries arrived above it; it is still where it was
      await expect.poll(() => scroller.evaluate((el) => el.scrollTop), { timeout: 15_000 }).toBeGreaterThan(61);
      const row = column.locator('[data-testid=log-message]').filter({ has: app.getByTestId('log-text').getByText(before!.text, { exact: true }) });
      await expect(row).toBeInViewport();
      const top = await row.evaluate((el) => el.getBoundingClientRect().top);
      expect(Math.abs(top - before!.top), `${before!.text} moved`).toBeLessThanOrEqual(2);
      keptInPlace++;
      // the window stays within Keep: never more than 10,000 rows of content
      expect(await scroller.evaluate((el) => el.scrollHeight)).toBeLessThanOrEqual(10_000 * 58 + 2 * 30 + 1);
    }
    expect(keptInPlace).toBeGreaterThanOrEqual(9);
    await expect(edge).toHaveAttribute('data-state', 'start');
    await expect(edge).toHaveText('Start of the log');
    await scroller.evaluate((el) => (el.scrollTop = 0));
    await expect(column.getByTestId('log-text').first()).toHaveText(line(1));
    // the page left the tail: a row below says so, and newer entries are a scroll (or a click) away
    await expect(app.getByTestId('jump-newest')).toBeVisible();

    // scrolling down reads newer entries until the window reaches the tail, then it follows it
    const end = column.getByTestId('log-edge-end');
    const settled = () =>
      column.evaluate((el) => {
        const row = el.querySelector('[data-testid=log-edge-end]');
        return !row || !/Loading/.test(row.textContent ?? '');
      });
    for (let i = 0; i < 80 && (await end.count()) > 0; i++) {
      await scroller.evaluate((el) => (el.scrollTop = el.scrollHeight));
      await expect.poll(settled, { timeout: 15_000 }).toBe(true);
    }
    await expect(end).toHaveCount(0);
    await expect(app.getByTestId('jump-newest')).toHaveCount(0);
    await scroller.evaluate((el) => (el.scrollTop = el.scrollHeight));
    s.write('after the scroll\n');
    await expect(column.getByTestId('log-text').filter({ hasText: 'after the scroll' })).toBeInViewport({ timeout: 15_000 });
  });
});

test('a window that left the tail jumps back to the newest entries, and a zh-CN page words its edges', async ({ app }) => {
  test.setTimeout(60_000);
  await withTailedLog(app, async (column, scroller) => {
    await app.getByTestId('language-select').selectOption('zh-CN');
    const edge = column.getByTestId('log-edge-start');
    await expect(edge).toHaveText('↑ 向上滚动查看更早的记录');
    // scrolling to the top pauses the window (it stops following the tail) and pages older entries
    // in: the jump button shows as soon as it no longer follows
    for (let i = 0; i < 20 && (await app.getByTestId('jump-newest').count()) === 0; i++) {
      await scroller.evaluate((el) => (el.scrollTop = 0));
      await expect(edge).not.toHaveAttribute('data-state', 'loading', { timeout: 15_000 });
    }
    await expect(column.getByTestId('log-edge-end')).toHaveText('↓ 向下滚动查看更新的记录');
    await app.getByTestId('jump-newest').click();
    await expect(app.getByTestId('jump-newest')).toHaveCount(0);
    // The column shows its newest entry: the row lies inside the scroller's own box, which is what
    // the user sees (the page around it may have scrolled to bring the button into view, so the
    // page's viewport is not the measure; one CI run read "viewport ratio 0" here).
    await expect
      .poll(() =>
        scroller.evaluate((el, text) => {
          const row = [...el.querySelectorAll('[data-testid=log-text]')].find((t) => t.textContent === text);
          if (!row) return 'not rendered';
          const box = el.getBoundingClientRect();
          const r = row.getBoundingClientRect();
          return r.top >= box.top - 1 && r.bottom <= box.bottom + 1
            ? 'in view'
            : `outside (${Math.round(r.top - box.top)} px from the top of ${Math.round(box.height)})`;
        }, line(total)),
      )
      .toBe('in view');
  });
});

test('a search that matches nothing older does not page back through the whole log by itself, so the matches being read stay', async ({ app }) => {
  test.setTimeout(60_000);
  await withTailedLog(app, async (column, scroller) => {
    // the window holds about msg 10001 .. msg 20000: msg 10100 .. msg 10199 match, at its old end
    // (a page back cuts the newest 1,000 lines, not these), and nothing older does
    await app.getByTestId('log-search').fill('msg 101');
    const found = column.getByTestId('match-count');
    await expect(found).toHaveText('· 100 found');
    const edge = column.getByTestId('log-edge-start');
    await scroller.evaluate((el) => (el.scrollTop = 0));
    // the column may read a page back (nothing in it matches), but does not go on by itself: before
    // it did, page after page, until the window held msg 1 .. msg 10000 and no match was left
    await app.waitForTimeout(3000);
    await expect(edge).toHaveAttribute('data-state', 'more');
    await expect(found).toHaveText('· 100 found');
  });
});
