import { createServer, type AddressInfo, type Server } from 'node:net';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';

/** A real TCP server on 127.0.0.1:0 that accepts and stays quiet; closed by the test. */
async function quietServer(): Promise<{ port: number; srv: Server }> {
  const srv = createServer(() => undefined);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { port: (srv.address() as AddressInfo).port, srv };
}

/** The few DOM members the page-side functions use (this project type-checks e2e without the DOM lib). */
interface El {
  innerText: string;
  textContent: string | null;
  offsetParent: unknown;
  getAttribute(name: string): string | null;
  querySelector(selector: string): El | null;
  querySelectorAll(selector: string): Iterable<El>;
}
interface PageDom {
  document: El & { createElement(tag: 'canvas'): { getContext(kind: '2d'): { fillStyle: string } | null } };
  getComputedStyle(el: El): { fill: string };
}

/** Every heading on the page as shown (innerText applies text-transform) and as written. */
function headings(page: Page): Promise<{ shown: string; written: string }[]> {
  return page.evaluate(() =>
    [...(globalThis as unknown as PageDom).document.querySelectorAll('h1, h2, h3, h4')]
      .filter((h) => h.offsetParent !== null)
      .map((h) => ({ shown: h.innerText.replace(/\s+/g, ' ').trim(), written: (h.textContent ?? '').replace(/\s+/g, ' ').trim() })),
  );
}

test('a heading that quotes code shows it as written: struct.pack("i"), not STRUCT.PACK("I")', async ({ app }) => {
  const { port, srv } = await quietServer();
  await app.keyboard.press('Control+1');
  await app.locator('#ns-port').fill(String(port));
  await app.locator('#ns-framing').selectOption('len32le');
  await app.getByTestId('open-session').click();
  await expect(app.getByTestId('session-state')).toHaveText('open');
  const title = app.getByTestId('log-messages').locator('h3');
  await expect(title).toContainText('struct.pack("i")');
  // innerText is what the user sees (after CSS text-transform).
  expect(await title.evaluate((h) => (h as unknown as El).innerText)).toContain('struct.pack("i")');
  for (const panel of ['1', '2', '3', '4']) {
    await app.keyboard.press(`Control+${panel}`);
    for (const h of await headings(app)) expect(h.shown, `panel ${panel}`).toBe(h.written);
  }
  srv.close();
});

/** WCAG 2 contrast of each state label against its own tinted lane on every band of the diagram. */
function laneLabelContrast(page: Page): Promise<{ state: string; ratio: number }[]> {
  return page.evaluate(() => {
    const { document, getComputedStyle } = globalThis as unknown as PageDom;
    const rgb = (css: string): [number, number, number] => {
      const probe = document.createElement('canvas').getContext('2d')!;
      probe.fillStyle = css;
      const hex = probe.fillStyle; // normalised to #rrggbb
      return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
    };
    const lum = ([r, g, b]: number[]) => {
      const f = (c: number) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
    };
    const ratio = (a: number[], b: number[]) => {
      const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
      return (hi! + 0.05) / (lo! + 0.05);
    };
    const over = (fg: number[], bg: number[], alpha: number) => fg.map((c, i) => c * alpha + bg[i]! * (1 - alpha));
    const svg = document.querySelector('[data-testid=sequence-diagram]')!;
    const bands = [...svg.querySelectorAll(':scope > rect')].map((r) => rgb(r.getAttribute('fill')!)).filter((c) => c.length === 3);
    return [...svg.querySelectorAll('[data-testid^=lane-]')].map((g) => {
      // The colour the markup carries, not what a stylesheet paints on screen: the exported SVG
      // and PNG have no stylesheet, so the palette itself must read at 4.5:1.
      const text = g.querySelector('text')!;
      const tint = g.querySelector('rect')!;
      const fg = rgb((text.querySelector('tspan') ?? text).getAttribute('fill') ?? getComputedStyle(text).fill);
      const lane = rgb(tint.getAttribute('fill')!);
      const alpha = Number(tint.getAttribute('opacity') ?? 1);
      return { state: g.getAttribute('data-state')!, ratio: Math.min(...bands.map((b) => ratio(fg, over(lane, b, alpha)))) };
    });
  });
}

for (const theme of ['dark', 'light'] as const) {
  test(`every state-lane label reads at 4.5:1 or more in the ${theme} theme, in the exported SVG/PNG too`, async ({ app }) => {
    await app.getByTestId(`theme-${theme}`).click();
    await expect(app.locator('html')).toHaveAttribute('data-theme', theme);
    await app.keyboard.press('Control+3');
    await app.getByTestId('experiment-server-first').click();
    await expect(app.locator('[data-testid=timeline-view][data-phase=done]')).toBeVisible({ timeout: 20_000 });
    const labels = await laneLabelContrast(app);
    expect(labels.map((l) => l.state)).toEqual(expect.arrayContaining(['LISTEN', 'CLOSED', 'ESTABLISHED']));
    for (const l of labels) expect(l.ratio, `${l.state} label`).toBeGreaterThanOrEqual(4.5);
  });
}

/** The active session's local port, as its header shows it ("127.0.0.1:40123" → "40123"). */
async function activePort(app: Page): Promise<string> {
  const local = (await app.getByTestId('session-head').locator('.mono').first().textContent())!;
  return local.split(':').at(-1)!;
}

test('the traffic generator picks a rate unit that reads, keeps "Bytes each" or says why, and says what TCP counts', async ({ app }) => {
  await app.keyboard.press('Control+1');
  // UDP: 2,000 × 8 B at 10,000 pps is about 640 kbit/s — the issue saw "0.0006 Gbit/s".
  await app.locator('#ns-kind').selectOption('udp');
  await app.locator('#ns-port').fill('0');
  await app.getByTestId('open-session').click();
  await app.locator('#gen-port').fill(await activePort(app));
  await app.locator('#gen-count').fill('2000');
  await app.locator('#gen-rate').fill('10000');
  await app.getByTestId('gen-start').click();
  await expect(app.getByTestId('gen-stats')).toHaveAttribute('data-state', 'done', { timeout: 20_000 });
  await expect(app.getByTestId('gen-achieved')).toHaveText(/^[\d,]+ pps · [\d.,]+ (kbit|Mbit)\/s$/);
  await expect(app.getByTestId('gen-stats')).toContainText('Datagrams lost');

  // Kind → TCP: the untouched default 8 becomes TCP's 131072, and the hint says so.
  await app.locator('#gen-proto').selectOption('tcp');
  await expect(app.locator('#gen-size')).toHaveValue('131072');
  await expect(app.locator('#gen-size-hint')).toContainText('Changed from 8 to 131072');
  // A size the user typed survives the way back to UDP.
  await app.locator('#gen-size').fill('1400');
  await expect(app.locator('#gen-size-hint')).toHaveCount(0);
  await app.locator('#gen-proto').selectOption('udp');
  await expect(app.locator('#gen-size')).toHaveValue('1400');
  await app.locator('#gen-proto').selectOption('tcp');
  await expect(app.locator('#gen-size')).toHaveValue('1400');

  // TCP against a Wirelab TCP server: bytes, and "not yet read" rather than "lost".
  await app.locator('#ns-kind').selectOption('tcp-server');
  await app.locator('#ns-port').fill('0');
  await app.getByTestId('open-session').click();
  await expect(app.getByTestId('session-tab')).toHaveCount(2);
  await expect(app.getByTestId('session-tab').nth(1)).toHaveAttribute('aria-selected', 'true');
  await app.locator('#gen-port').fill(await activePort(app));
  await app.locator('#gen-count').fill('500');
  await app.locator('#gen-rate').fill('0');
  await app.getByTestId('gen-start').click();
  await expect(app.getByTestId('gen-stats')).toHaveAttribute('data-state', 'done', { timeout: 20_000 });
  const stats = app.getByTestId('gen-stats');
  await expect(stats).toContainText('Bytes read by the server');
  await expect(stats).toContainText('Bytes not yet read');
  await expect(stats).not.toContainText('lost');
  await expect(app.getByTestId('gen-unread-hint')).toContainText('TCP does not lose bytes');
  const num = async (id: string) => Number((await app.getByTestId(id).textContent())!.replace(/,/g, ''));
  expect((await num('gen-received')) + (await num('gen-lost'))).toBe(500 * 1400);

  // 中文: the same numbers, grouped per locale, with the TCP wording.
  await app.getByTestId('language-select').selectOption('zh-CN');
  await expect(stats).toContainText('尚未读取的字节');
  await expect(app.getByTestId('gen-achieved')).toHaveText(/^[\d,]+ pps · [\d.,]+ (kbit|Mbit|Gbit)\/s$/);
});

test('Text → Hex → Escapes converts the payload in the chosen encoding, and says when bytes cannot be Text', async ({ app }) => {
  const { port, srv } = await quietServer();
  await app.keyboard.press('Control+1');
  await app.locator('#ns-port').fill(String(port));
  await app.getByTestId('open-session').click();
  await expect(app.getByTestId('session-state')).toHaveText('open');
  const box = app.locator('#composer-text');
  await box.fill('你好');
  await app.getByTestId('mode-hex').click();
  await expect(box).toHaveValue('e4 bd a0 e5 a5 bd');
  await expect(app.getByTestId('mode-hex')).toHaveAttribute('aria-checked', 'true');
  await expect(app.locator('#composer-text-error')).toHaveCount(0);
  await app.getByTestId('mode-text').click();
  await expect(box).toHaveValue('你好');
  // GBK goes through the backend's encoder: the bytes Send would write.
  await app.locator('.composer').getByLabel('Encoding').selectOption('gbk');
  await app.getByTestId('mode-hex').click();
  await expect(box).toHaveValue('c4 e3 ba c3');
  await box.fill('c4 e3 ba c3 0d 0a');
  await app.getByTestId('mode-escaped').click();
  await expect(box).toHaveValue('你好\\r\\n');
  await box.fill('你好\\n');
  await app.getByTestId('mode-text').click();
  await expect(box).toHaveValue('你好\n');
  // Bytes that are no text stay in Hex, and the note says why. (GBK converts through the
  // backend: wait for it before typing, as a user sees the hex appear before editing it.)
  await app.getByTestId('mode-hex').click();
  await expect(box).toHaveValue('c4 e3 ba c3 0a');
  await box.fill('00 01 02 ff');
  await app.getByTestId('mode-text').click();
  await expect(app.getByTestId('convert-note')).toContainText('not GBK text');
  await expect(app.getByTestId('mode-hex')).toHaveAttribute('aria-checked', 'true');
  await expect(box).toHaveValue('00 01 02 ff');
  await app.getByTestId('mode-escaped').click();
  await expect(box).toHaveValue('\\0\\x01\\x02\\xff');
  await expect(app.getByTestId('hex-preview')).toHaveText('00 01 02 ff');
  srv.close();
});

test('counts read "1 byte", "1 subnet", "1 host" in English and are grouped one way', async ({ app }) => {
  const { port, srv } = await quietServer();
  await app.keyboard.press('Control+1');
  await app.locator('#ns-port').fill(String(port));
  await app.getByTestId('open-session').click();
  await expect(app.getByTestId('session-state')).toHaveText('open');
  await app.locator('#composer-text').fill('a');
  await expect(app.getByTestId('byte-count')).toHaveText('1 byte');
  await app.locator('#composer-text').fill('a'.repeat(1234));
  await expect(app.getByTestId('byte-count')).toHaveText('1,234 bytes');
  srv.close();

  await app.keyboard.press('Control+2');
  await app.locator('#subnet-tab-split').click();
  await app.locator('#split-network').fill('10.0.0.0/24');
  await app.locator('#split-mode').selectOption('prefix');
  await app.locator('#split-value').fill('24');
  await expect(app.getByTestId('split-count')).toHaveText('1 subnet');
  await app.locator('#subnet-tab-tree').click();
  await app.locator('#tree-root').fill('192.168.0.1/32');
  await expect(app.locator('[data-testid=tree-row][data-cidr="192.168.0.1/32"]')).toContainText('1 host');
  await expect(app.locator('[data-testid=tree-row][data-cidr="192.168.0.1/32"]')).not.toContainText('1 hosts');
  await app.getByTestId('language-select').selectOption('zh-CN');
  await expect(app.locator('[data-testid=tree-row][data-cidr="192.168.0.1/32"]')).toContainText('1 台主机');
});

test('the UDP options offer the multicast-loopback toggle, and it follows what the backend set', async ({ app }) => {
  await app.keyboard.press('Control+1');
  await app.locator('#ns-kind').selectOption('udp');
  await app.locator('#ns-port').fill('0');
  await app.getByTestId('open-session').click();
  const loop = app.getByTestId('mc-loopback');
  // Linux, macOS and Windows start with IP_MULTICAST_LOOP on.
  await expect(loop).toBeChecked();
  await loop.click();
  await expect(loop).not.toBeChecked();
  await expect(app.getByTestId('udp-error')).toHaveCount(0);
  await loop.click();
  await expect(loop).toBeChecked();
  await app.getByTestId('language-select').selectOption('zh-CN');
  await expect(app.getByTestId('udp-options')).toContainText('本机回环');
});

/** The diagram's labels as drawn: lane labels, kernel confirmations, socket events; the card and the panel that show them. */
function labelBoxes(page: Page) {
  return page.evaluate(() => {
    type Box = { left: number; right: number; top: number; bottom: number };
    type Node = {
      getBoundingClientRect(): Box;
      getAttribute(n: string): string | null;
      closest(s: string): Node | null;
      textContent: string | null;
      clientWidth: number;
      scrollWidth: number;
    };
    const doc = (globalThis as unknown as { document: { querySelector(s: string): Node; querySelectorAll(s: string): Node[] } }).document;
    const box = doc.querySelector('.tl-diagram');
    const svg = doc.querySelector('[data-testid=sequence-diagram]').getBoundingClientRect();
    const clip = [box.getBoundingClientRect(), doc.querySelector('[data-testid=timeline-view]').getBoundingClientRect()];
    const right = Math.min(...clip.map((c) => c.right), svg.right);
    const texts = new Set(
      doc.querySelectorAll('[data-testid^=lane-] > text, [data-testid=kernel-state] > text:first-of-type, [data-testid=marker] > text:first-of-type'),
    );
    const labels = [...texts].map((n) => {
      const b = n.getBoundingClientRect();
      const owner = n.closest('[data-testid]')!;
      return { kind: owner.getAttribute('data-testid')!, text: n.textContent ?? '', left: b.left, right: b.right, top: b.top, bottom: b.bottom };
    });
    const lanes = [...doc.querySelectorAll('[data-testid^=lane-] > rect:first-of-type')].map((n) => n.getBoundingClientRect());
    return { labels, lanes, sideways: box.scrollWidth > box.clientWidth + 1, left: svg.left, right };
  });
}

for (const experiment of ['normal', 'server-first', 'keep-alive'] as const)
  test(`timeline lane labels never overlap nor are cut, at 1024 and 1400 px in both languages (${experiment})`, async ({ app }) => {
    test.setTimeout(90_000);
    await app.keyboard.press('Control+3');
    await app.getByTestId(`experiment-${experiment}`).click();
    await expect(app.locator('[data-testid=timeline-view][data-phase=done]')).toBeVisible({ timeout: 45_000 });
    for (const lang of ['en', 'zh-CN'] as const)
      for (const width of [1024, 1400]) {
        await app.setViewportSize({ width, height: 900 });
        await app.getByTestId('language-select').selectOption(lang);
        await expect(app.locator('html')).toHaveAttribute('lang', lang);
        const where = `${experiment} ${lang} ${width}px`;
        // Laid out to the new width (a ResizeObserver): poll until the card and the diagram agree.
        await expect.poll(async () => (await labelBoxes(app)).sideways, { message: `${where}: sideways scroll` }).toBe(false);
        const { labels, lanes, left, right } = await labelBoxes(app);
        expect(labels.length, where).toBeGreaterThan(4);
        for (const l of labels) {
          // Inside the diagram, its card and the panel (not clipped at the right edge).
          expect(l.right, `${where}: "${l.text}" cut at the right`).toBeLessThanOrEqual(right + 0.5);
          expect(l.left, `${where}: "${l.text}" cut at the left`).toBeGreaterThanOrEqual(left - 0.5);
          // A lane label stays within its lane.
          if (l.kind !== 'marker') {
            const lane = lanes.find((b) => l.left >= b.left - 1 && l.left <= b.right);
            expect(lane && l.right <= lane.right + 0.5, `${where}: "${l.text}" runs past its lane`).toBe(true);
          }
        }
        for (let i = 0; i < labels.length; i++)
          for (let j = i + 1; j < labels.length; j++) {
            const a = labels[i]!;
            const b = labels[j]!;
            const overlap = a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
            expect(overlap, `${where}: "${a.text}" overlaps "${b.text}"`).toBe(false);
          }
      }
  });

test('kernel confirmations sit where they were observed and the TIME_WAIT countdown starts from the kernel timer', async ({ app }) => {
  await app.keyboard.press('Control+3');
  await app.getByTestId('experiment-normal').click();
  await expect(app.locator('[data-testid=timeline-view][data-phase=done]')).toBeVisible({ timeout: 45_000 });
  const kernelTw = app.locator('[data-testid=kernel-state][data-side=client][data-state=TIME_WAIT]');
  await expect(kernelTw).toHaveCount(1);
  const timer = Number(/(\d+\.\d)s/.exec((await kernelTw.textContent())!)![1]);
  const countdown = Number(/(\d+) s left/.exec((await app.locator('[data-testid=lane-client][data-state=TIME_WAIT]').textContent())!)![1]);
  // Never more than the kernel said (it was "63 s left" beside "TIME_WAIT 60.0s").
  expect(countdown).toBeLessThanOrEqual(Math.ceil(timer));
  expect(countdown).toBeGreaterThan(timer - 15);
  // A state the kernel saw is drawn before the packet that ended it: ESTABLISHED before the client's FIN.
  const established = app.locator('[data-testid=kernel-state][data-side=client][data-state=ESTABLISHED]');
  if ((await established.count()) > 0) {
    const finY = (await app.locator('[data-testid=segment][data-from=client][data-flags*=FIN]').first().boundingBox())!.y;
    expect((await established.boundingBox())!.y).toBeLessThan(finY);
  }
});

test('keep-alive: the segment details say why the first answer is a "window update" and later ones "keep-alive ACK", in both languages', async ({ app }) => {
  test.setTimeout(60_000);
  await app.keyboard.press('Control+3');
  await app.getByTestId('experiment-keep-alive').click();
  await expect(app.locator('[data-testid=timeline-view][data-phase=done]')).toBeVisible({ timeout: 45_000 });
  await app.getByTestId('segment').filter({ hasText: '[window update]' }).first().click();
  await expect(app.getByTestId('badge-why')).toContainText('Why “window update” and not “keep-alive ACK”?');
  await expect(app.getByTestId('badge-why')).toContainText('tshark');
  await app.getByTestId('segment').filter({ hasText: '[keep-alive ACK]' }).first().click();
  await expect(app.getByTestId('badge-why')).toContainText('The first such answer was badged “window update”');
  // A probe itself needs no such note.
  await app.getByTestId('segment').filter({ hasText: '[keep-alive]' }).first().click();
  await expect(app.getByTestId('badge-why')).toHaveCount(0);
  await app.getByTestId('language-select').selectOption('zh-CN');
  await app.getByTestId('segment').filter({ hasText: '[窗口更新]' }).first().click();
  await expect(app.getByTestId('badge-why')).toContainText('为什么标成“窗口更新”而不是“保活确认”？');
});
