import AxeBuilder from '@axe-core/playwright';
import { createServer, type AddressInfo, type Server } from 'node:net';
import type { Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { expect, test } from './fixtures.ts';

/**
 * Accessibility checked by a real engine (axe-core): each panel in an empty, a busy and an error
 * state, each in English and Chinese, light and dark — no serious or critical violation of WCAG
 * 2.1 A/AA (contrast, names, roles, ARIA). Keyboard reach and focus rings are checked below.
 */
const combos = [
  { lang: 'en', theme: 'light' },
  { lang: 'en', theme: 'dark' },
  { lang: 'zh-CN', theme: 'light' },
  { lang: 'zh-CN', theme: 'dark' },
] as const;

/**
 * Violations allowed for now, each matched by rule and a piece of the element's selector and
 * reported as an annotation on the test (the next fix for that view's owner); anything else
 * fails the test. Empty: the log scrollers, the timeline's source tabs, the diagram, the segment
 * details and the process table were mended; keep it empty.
 */
const known: { rule: string; target: string; why: string }[] = [];

/** Serious and critical violations, one line each: "where lang/theme: rule (impact) targets". */
async function audit(page: Page, where: string): Promise<string[]> {
  const found: string[] = [];
  for (const { lang, theme } of combos) {
    await page.getByTestId('language-select').selectOption(lang);
    await page.getByTestId(`theme-${theme}`).click();
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    await expect(page.locator('html')).toHaveAttribute('lang', lang);
    // Colours mid-transition (rows fade their background) are not what the user reads.
    await expect
      .poll(() => page.evaluate(() => (globalThis as unknown as { document: { getAnimations(): unknown[] } }).document.getAnimations().length))
      .toBe(0);
    const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    for (const v of result.violations) {
      if (v.impact !== 'serious' && v.impact !== 'critical') continue;
      const nodes = v.nodes.filter((n) => {
        // Matched against the selector and the element's opening tag.
        const target = `${n.target.join(' ')} ${n.html}`;
        const k = known.find((x) => x.rule === v.id && target.includes(x.target));
        if (k && !test.info().annotations.some((a) => a.description === k.why))
          test.info().annotations.push({ type: 'known a11y violation', description: k.why });
        return !k;
      });
      if (!nodes.length) continue;
      const targets = nodes
        .slice(0, 4)
        .map((n) => n.target.join(' '))
        .join(' | ');
      found.push(`${where} ${lang}/${theme}: ${v.id} (${v.impact}, ${nodes.length}×) ${targets}`);
    }
  }
  return found;
}

async function quietServer(): Promise<{ port: number; srv: Server }> {
  const srv = createServer(() => undefined);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { port: (srv.address() as AddressInfo).port, srv };
}

test.describe.configure({ timeout: 150_000 });

test.describe('packet sender', () => {
  test.beforeEach(async ({ app }) => {
    await app.keyboard.press('Control+1');
    await expect(app.getByTestId('sender-panel')).toBeVisible();
  });
  test('empty: no session yet', async ({ app }) => {
    await expect(app.getByTestId('empty-sender')).toBeVisible();
    expect(await audit(app, 'sender empty')).toEqual([]);
  });
  test('busy: the playground after sends, a UDP session and a generator run', async ({ app }) => {
    await app.getByTestId('playground').click();
    await expect(app.getByTestId('session-head')).toContainText('→');
    await app.locator('#composer-text').fill('你好 {{counter}}');
    for (let i = 0; i < 3; i++) await app.getByTestId('send').click();
    await expect(app.getByTestId('log-chunks').locator('[data-testid=log-chunk][data-dir=in]')).toHaveCount(3, { timeout: 10_000 });
    await app.locator('#ns-kind').selectOption('udp');
    await app.locator('#ns-port').fill('0');
    await app.getByTestId('open-session').click();
    await expect(app.getByTestId('session-tab')).toHaveCount(3);
    const local = (await app.getByTestId('session-head').locator('.mono').first().textContent())!;
    await app.locator('#gen-port').fill(local.split(':').at(-1)!);
    await app.locator('#gen-count').fill('500');
    await app.getByTestId('gen-start').click();
    await expect(app.getByTestId('gen-stats')).toHaveAttribute('data-state', 'done', { timeout: 15_000 });
    expect(await audit(app, 'sender busy')).toEqual([]);
  });
  test('error: a refused connection, bad hex and a bad generator count', async ({ app }) => {
    const { port, srv } = await quietServer();
    await new Promise((r) => srv.close(r));
    await app.locator('#ns-port').fill(String(port));
    await app.getByTestId('open-session').click();
    await expect(app.getByTestId('sender-panel')).toContainText('ECONNREFUSED');
    const open = await quietServer();
    await app.locator('#ns-port').fill(String(open.port));
    await app.getByTestId('open-session').click();
    await expect(app.getByTestId('session-state')).toHaveText('open');
    await app.getByTestId('mode-hex').click();
    await app.locator('#composer-text').fill('48 6g');
    await expect(app.locator('#composer-text-error')).toBeVisible();
    await app.locator('#gen-port').fill('9');
    await app.locator('#gen-count').fill('lots');
    await app.getByTestId('gen-start').click();
    await expect(app.locator('#gen-count-error')).toBeVisible();
    expect(await audit(app, 'sender error')).toEqual([]);
    open.srv.close();
  });
});

test.describe('subnet calculator', () => {
  test.beforeEach(async ({ app }) => {
    await app.keyboard.press('Control+2');
  });
  test('empty: the calculator with nothing typed', async ({ app }) => {
    await app.locator('#calc-input').fill('');
    expect(await audit(app, 'subnet empty')).toEqual([]);
  });
  test('busy: a result with its binary view, a 65,536-row split and the tree', async ({ app }) => {
    await app.locator('#calc-input').fill('192.168.10.77/26');
    await expect(app.getByTestId('calc-result')).toBeVisible();
    const calc = await audit(app, 'subnet calc');
    await app.locator('#subnet-tab-split').click();
    await app.locator('#split-network').fill('10.0.0.0/8');
    await app.locator('#split-mode').selectOption('prefix');
    await app.locator('#split-value').fill('24');
    await expect(app.getByTestId('split-row').first()).toBeVisible();
    const split = await audit(app, 'subnet split');
    await app.locator('#subnet-tab-tree').click();
    await app.locator('#tree-root').fill('192.168.0.0/24');
    await app.locator('[data-testid=tree-row][data-cidr="192.168.0.0/24"]').getByRole('button').first().click();
    const tree = await audit(app, 'subnet tree');
    expect([...calc, ...split, ...tree]).toEqual([]);
  });
  test('error: an address it cannot read', async ({ app }) => {
    await app.locator('#calc-input').fill('10.1.1.1 255.0.255.0');
    await expect(app.locator('#calc-input-error')).toBeVisible();
    expect(await audit(app, 'subnet error')).toEqual([]);
  });
});

const capture = (name: string) => fileURLToPath(new URL(`../test/fixtures/captures/${name}`, import.meta.url));

test.describe('handshake timeline', () => {
  test.beforeEach(async ({ app }) => {
    await app.keyboard.press('Control+3');
    await expect(app.getByTestId('timeline-panel')).toBeVisible();
  });
  test('empty: nothing drawn yet', async ({ app }) => {
    await expect(app.getByTestId('timeline-empty')).toBeVisible();
    expect(await audit(app, 'timeline empty')).toEqual([]);
  });
  test('busy: an experiment drawn, one segment selected', async ({ app }) => {
    await app.getByTestId('experiment-normal').click();
    await expect(app.locator('[data-testid=timeline-view][data-phase=done]')).toBeVisible({ timeout: 20_000 });
    await app.getByTestId('segment').nth(1).click();
    await expect(app.getByTestId('segment-details')).toBeVisible();
    expect(await audit(app, 'timeline busy')).toEqual([]);
  });
  test('error: a truncated capture and a file that is no capture', async ({ app }) => {
    await app.getByTestId('pcap-input').setInputFiles(capture('truncated.pcap'));
    await expect(app.getByTestId('file-problem')).toBeVisible();
    await app
      .getByTestId('pcap-input')
      .setInputFiles({ name: 'notes.pcap', mimeType: 'application/octet-stream', buffer: Buffer.from('not a capture at all') });
    await expect(app.getByTestId('timeline-error')).toBeVisible();
    expect(await audit(app, 'timeline error')).toEqual([]);
  });
});

test.describe('processes', () => {
  test.beforeEach(async ({ app }) => {
    await app.keyboard.press('Control+4');
    await expect(app.getByTestId('processes-panel')).toBeVisible();
    await expect(app.getByTestId('ps-row').first()).toBeVisible({ timeout: 15_000 });
    // A still table: rows that come and go (and fade in) between axe's passes are not judged.
    await app.getByTestId('ps-pause').click();
  });
  test('empty: a filter that matches nothing', async ({ app }) => {
    await app.getByTestId('ps-filter').fill('no-such-process-anywhere');
    await expect(app.getByTestId('ps-row')).toHaveCount(0);
    expect(await audit(app, 'processes empty')).toEqual([]);
  });
  test('busy: the table with a process selected', async ({ app }) => {
    await app.getByTestId('ps-row').first().click();
    await expect(app.getByTestId('ps-details')).toBeVisible();
    expect(await audit(app, 'processes table')).toEqual([]);
  });
  test('busy: connections and labs', async ({ app, host }) => {
    await app.getByTestId('ps-tab-connections').click();
    // This host's own port: a few rows (axe over a thousand-row table takes minutes).
    await app.getByTestId('conn-filter').fill(String(host.port));
    await expect(app.getByTestId('conn-row').first()).toBeVisible({ timeout: 15_000 });
    const conns = await audit(app, 'processes connections');
    await app.getByTestId('ps-tab-labs').click();
    const labs = await audit(app, 'processes labs');
    expect([...conns, ...labs]).toEqual([]);
  });
  test('error: a signal waiting for confirmation', async ({ app }) => {
    await app.getByTestId('ps-row').first().click();
    await app.getByTestId('signal-SIGKILL').click();
    await expect(app.getByTestId('signal-confirm')).toBeVisible();
    expect(await audit(app, 'processes confirm')).toEqual([]);
  });
});

/** What the keyboard reaches: each focusable control of `scope`, and whether its focus ring shows unclipped. */
async function tabThrough(page: Page, scope: string): Promise<{ missed: string[]; noRing: string[] }> {
  const controls = await page.evaluate((sel) => {
    const { document } = globalThis as unknown as KbdDom;
    const all = [...document.querySelectorAll(`${sel} :is(button, input, select, textarea, a[href], [tabindex]):not([disabled]):not([tabindex="-1"])`)].filter(
      (e) => e.offsetParent !== null || e.getClientRects().length > 0,
    );
    all.forEach((e, i) => e.setAttribute('data-kbd', String(i)));
    return all.map(
      (e) =>
        `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.getAttribute('data-testid') ? `[${e.getAttribute('data-testid')}]` : ''} "${(e.getAttribute('aria-label') ?? e.textContent ?? '').trim().slice(0, 30)}"`,
    );
  }, scope);
  const reached = new Set<string>();
  const noRing = new Set<string>();
  await page.locator('body').click({ position: { x: 1, y: 1 } });
  for (let i = 0; i < 300 && reached.size < controls.length; i++) {
    await page.keyboard.press('Tab');
    const at = await page.evaluate(() => {
      const { document, getComputedStyle } = globalThis as unknown as KbdDom;
      const el = document.activeElement;
      const id = el?.getAttribute('data-kbd');
      if (!el || id === null || id === undefined) return null;
      const st = getComputedStyle(el);
      const width = parseFloat(st.outlineWidth) || 0;
      const ring = (st.outlineStyle !== 'none' && width > 0) || st.boxShadow !== 'none';
      // The ring must not be cut off by an ancestor that clips (overflow other than visible).
      const grow = st.outlineStyle !== 'none' ? Math.max(0, width + (parseFloat(st.outlineOffset) || 0)) : 0;
      const r = el.getBoundingClientRect();
      let clipped = false;
      for (let p = el.parentElement; p; p = p.parentElement) {
        const ps = getComputedStyle(p);
        if (ps.overflowX === 'visible' && ps.overflowY === 'visible') continue;
        const q = p.getBoundingClientRect();
        if (r.left - grow < q.left - 0.5 || r.right + grow > q.right + 0.5 || r.top - grow < q.top - 0.5 || r.bottom + grow > q.bottom + 0.5) clipped = true;
        break;
      }
      return { id, ring: ring && !clipped };
    });
    if (!at) continue;
    reached.add(at.id);
    if (!at.ring) noRing.add(controls[Number(at.id)]!);
  }
  return { missed: controls.filter((_, i) => !reached.has(String(i))), noRing: [...noRing] };
}

interface KbdEl {
  tagName: string;
  id: string;
  textContent: string | null;
  offsetParent: unknown;
  parentElement: KbdEl | null;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  getClientRects(): { length: number };
  getBoundingClientRect(): { left: number; right: number; top: number; bottom: number };
}
interface KbdDom {
  document: { querySelectorAll(sel: string): Iterable<KbdEl>; activeElement: KbdEl | null };
  getComputedStyle(el: KbdEl): { outlineStyle: string; outlineWidth: string; outlineOffset: string; boxShadow: string; overflowX: string; overflowY: string };
}

test.describe('keyboard', () => {
  for (const theme of ['light', 'dark'] as const) {
    test(`every control of the sender and the subnet panel is reached by Tab and shows its focus ring (${theme})`, async ({ app }) => {
      await app.getByTestId(`theme-${theme}`).click();
      await app.keyboard.press('Control+1');
      await app.getByTestId('playground').click();
      await expect(app.getByTestId('session-head')).toContainText('→');
      const sender = await tabThrough(app, '.app');
      expect(sender.missed, 'sender: not reached by Tab').toEqual([]);
      expect(sender.noRing, 'sender: no visible focus ring').toEqual([]);
      await app.keyboard.press('Control+2');
      await app.locator('#calc-input').fill('192.168.10.77/26');
      const calc = await tabThrough(app, '.app');
      expect(calc.missed, 'subnet: not reached by Tab').toEqual([]);
      expect(calc.noRing, 'subnet: no visible focus ring').toEqual([]);
      await app.locator('#subnet-tab-split').click();
      await app.locator('#split-network').fill('10.0.0.0/16');
      await app.locator('#split-value').fill('24');
      const split = await tabThrough(app, '.app');
      expect(split.missed, 'subnet split: not reached by Tab').toEqual([]);
      expect(split.noRing, 'subnet split: no visible focus ring').toEqual([]);
    });
  }
});
