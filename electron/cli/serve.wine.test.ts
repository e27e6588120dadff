import { cpSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessSampleData, SocketRowData, ThreadRowData } from '../../shared/contract/processes.ts';
import type { SavedPacket } from '../../shared/contract/packets.ts';
import type { Settings } from '../../shared/contract/settings.ts';
import type { CaptureStatus } from '../../shared/contract/timeline.ts';
import { captureAdvice } from '../../shared/timeline/capture-advice.ts';
import { buildCli } from '../../scripts/build-cli.mjs';
import { connectHost, until, type HostClient } from '../../test/support/host-client.ts';
import { prepareWine, startWindowsNode, wineSkip, type WineKit } from '../../test/support/wine.ts';

/**
 * The "done when": the browser host served by Windows Node under Wine
 * (`node.exe out/cli/wirelab.mjs serve --json --port 0 --data-dir …`, all three stdio files), a
 * WebSocket client and the renderer in Linux's Chromium pointed at it. The process monitor there
 * runs on the Win32 route: Wine's processes, and a Windows node child with 4 worker threads, a
 * listener and a connection to itself. Wine 8.0 writes owner pid 0 on TCP listeners but fills it
 * on connected sockets, so the listener is looked for in the Connections list (by port, LISTEN)
 * and the child's own sockets are its connected pair. The data dir is a Windows path with a space
 * and Chinese characters (`C:\users\学生 one\AppData\Roaming\Wirelab`, in the Wine prefix): a
 * packet and a setting saved there come back in a second host.
 * WIRELAB_WINE_SHOTS=DIR also writes the panel's screenshots there (docs/ takes them).
 */
const repo = fileURLToPath(new URL('../..', import.meta.url));
const skip = wineSkip('serve.wine.test.ts');
const shotsDir = process.env.WIRELAB_WINE_SHOTS;
/** A user folder with a space and Chinese characters, as `C:\users\学生 one` is for a student named 学生 one. */
const userFolder = `学生 one-${process.pid}`;
const winDataDir = `C:\\users\\${userFolder}\\AppData\\Roaming\\Wirelab`;

interface WineHost {
  client: HostClient;
  url: string;
  output: () => string;
  cleanup: () => void;
}

describe.skipIf(skip)('the browser host served by Windows Node under Wine', () => {
  let kit: WineKit;
  let runDir: string;
  let cli: string;
  let host: WineHost;
  let child: ReturnType<typeof startWindowsNode>;
  let childInfo: { pid: number; port: number; clientPort: number };
  let browser: Browser | undefined;
  const cleanups: (() => void)[] = [];

  /** `node.exe wirelab.mjs serve --json --port 0 --data-dir <Windows path>`, its first line read from its stdout file. */
  async function serveWindows(): Promise<WineHost> {
    const served = startWindowsNode(kit, cli, ['serve', '--json', '--port', '0', '--data-dir', winDataDir]);
    cleanups.push(served.cleanup);
    let line = '';
    await until(
      () => {
        line = served.output().split('\n')[0] ?? '';
        return line.endsWith('}') || served.child.exitCode !== null;
      },
      120_000,
      'the Windows host listening',
    );
    const { event, url } = JSON.parse(line) as { event: string; url: string };
    expect(event).toBe('listening');
    const u = new URL(url);
    // Bounded: a node.exe that does not end on SIGTERM within 10 s is killed.
    const stop = async () => {
      served.child.kill('SIGTERM');
      const killer = setTimeout(() => served.child.kill('SIGKILL'), 10_000);
      const code = await served.exited;
      clearTimeout(killer);
      return code;
    };
    const client = await connectHost({ child: served.child, hostHeader: u.host, origin: u.origin, token: u.searchParams.get('token') ?? '', stop });
    return { client, url, output: served.output, cleanup: served.cleanup };
  }

  beforeAll(async () => {
    const prepared = prepareWine(repo);
    if ('missing' in prepared) throw new Error(`CI must run the Wine tests: ${prepared.missing}`);
    kit = prepared;
    const renderer = join(repo, 'out/renderer');
    if (!existsSync(join(renderer, 'index.html'))) throw new Error(`the UI is not built (${renderer}); run "npm run build" first (npm test does)`);
    // The installed layout: package.json, out/cli (the bundle) and out/renderer beside it, inside
    // the kit's folder so that koffi resolves to its win32 build.
    runDir = join(kit.appDir, `serve-${process.pid}-${Date.now()}`);
    mkdirSync(runDir, { recursive: true });
    copyFileSync(join(repo, 'package.json'), join(runDir, 'package.json'));
    cli = join(await buildCli(join(runDir, 'out/cli')), 'wirelab.mjs');
    cpSync(renderer, join(runDir, 'out/renderer'), { recursive: true });

    // A Windows node child of known shape: 4 worker threads, a listener, a connection to itself.
    writeFileSync(
      join(runDir, 'child.cjs'),
      `const { Worker } = require('worker_threads'); const fs = require('fs'); const net = require('net');
for (let i = 0; i < 4; i++) new Worker('setInterval(() => {}, 1000)', { eval: true });
const srv = net.createServer((s) => s.on('error', () => {})).listen(0, '127.0.0.1', () => {
  const port = srv.address().port;
  const c = net.connect(port, '127.0.0.1', () => fs.writeFileSync(process.argv[2], JSON.stringify({ pid: process.pid, port, clientPort: c.localPort })));
});
setTimeout(() => process.exit(0), 300000);`,
    );
    const infoFile = join(runDir, 'child.json');
    child = startWindowsNode(kit, join(runDir, 'child.cjs'), [infoFile, 'wirelab-wine-panel-child']);
    cleanups.push(child.cleanup);
    host = await serveWindows();
    await until(() => existsSync(infoFile) && readFileSync(infoFile, 'utf8').endsWith('}'), 120_000, 'the Windows child listening');
    childInfo = JSON.parse(readFileSync(infoFile, 'utf8')) as typeof childInfo;
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await host?.client.close().catch(() => undefined);
    for (const c of cleanups) c();
    if (runDir) rmSync(runDir, { recursive: true, force: true });
    if (kit) rmSync(join(kit.env.WINEPREFIX!, 'drive_c/users', userFolder), { recursive: true, force: true });
  });

  it('processes.configure is supported on win32; processes.sample lists Wine’s processes, the host’s node.exe and the child with its threads', async () => {
    const c = host.client;
    c.subscribe('processes.sample');
    const conf = await c.call('processes.configure', { running: true, intervalMs: 1000 }, 60_000);
    expect(conf).toMatchObject({ ok: true, value: { supported: true, reason: null, code: null, running: true, intervalMs: 1000 } });
    const samples = () => c.events as ProcessSampleData[];
    const withChild = () => samples().find((s) => s.processes.some((p) => p.pid === childInfo.pid && (p.threads ?? 0) >= 5));
    await until(() => withChild() !== undefined, 60_000, 'a sample with the Windows child and its threads');
    const s = withChild()!;
    const names = s.processes.map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['services.exe', 'node.exe']));
    const self = s.processes.find((p) => p.pid === s.selfPid);
    expect(self).toMatchObject({ name: 'node.exe' });
    expect(self!.command).toMatch(/wirelab\.mjs"? serve --json/);
    expect(self!.command).toContain('学生 one'); // the command line read back through the Win32 route keeps the Chinese data dir
    const row = s.processes.find((p) => p.pid === childInfo.pid)!;
    expect(row).toMatchObject({ name: 'node.exe' });
    expect(row.command).toContain('wirelab-wine-panel-child');
    expect(row.user).toMatch(/\\/); // DOMAIN\name from the token
  }, 120_000);

  it('processes.details of the Windows child: its threads (main + 4 workers + pool) and its connected sockets with it as owner', async () => {
    const r = await host.client.call('processes.details', { pid: childInfo.pid }, 60_000);
    expect(r.ok, JSON.stringify(r.error)).toBe(true);
    const d = r.value as { pid: number; threads: ThreadRowData[]; sockets: SocketRowData[] };
    expect(d.pid).toBe(childInfo.pid);
    expect(d.threads.length).toBeGreaterThanOrEqual(5);
    expect(d.threads.every((t) => t.tid > 0 && t.name === 'node.exe')).toBe(true);
    // The client end of the child's connection to itself, owned by the child: Wine 8.0 fills the
    // owner of a connecting IPv4 socket but writes 0 on the listener and on the accepted end.
    expect(d.sockets).toContainEqual({
      proto: 'tcp',
      local: `127.0.0.1:${childInfo.clientPort}`,
      remote: `127.0.0.1:${childInfo.port}`,
      state: 'ESTABLISHED',
      pid: childInfo.pid,
      process: 'node.exe',
    });
  }, 120_000);

  it('processes.sockets lists the child’s listener in LISTEN and the host’s own port', async () => {
    const r = await host.client.call('processes.sockets', {}, 60_000);
    expect(r.ok, JSON.stringify(r.error)).toBe(true);
    const rows = r.value as SocketRowData[];
    expect(rows).toContainEqual(expect.objectContaining({ proto: 'tcp', local: `127.0.0.1:${childInfo.port}`, state: 'LISTEN' }));
    expect(rows).toContainEqual(expect.objectContaining({ proto: 'tcp', local: `127.0.0.1:${new URL(host.url).port}`, state: 'LISTEN' }));
  }, 120_000);

  it('capture on Windows without Wireshark: CAPTURE_UNAVAILABLE with the Npcap advice, kernel states from the TCP tables', async () => {
    // Wine has no dumpcap (nor tcpdump on its PATH): the Windows words, not Linux's setcap.
    const r = await host.client.call('timeline.capabilities', {}, 60_000);
    expect(r.ok, JSON.stringify(r.error)).toBe(true);
    const { capture, kernelStates } = r.value as { capture: CaptureStatus; kernelStates: boolean };
    expect(kernelStates).toBe(true);
    expect(capture).toMatchObject({ available: false, code: 'CAPTURE_UNAVAILABLE', tool: null, howTo: captureAdvice('CAPTURE_UNAVAILABLE', 'win32') });
    expect(capture.howTo).toMatch(/Npcap/);
  }, 120_000);

  it('the processes panel in Chromium shows the Wine processes, then the child’s threads and sockets; the timeline panel the Windows capture advice', async () => {
    browser = await chromium.launch({
      executablePath: process.env.WIRELAB_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    });
    const shots: [lang: 'en' | 'zh-CN', scheme: 'light' | 'dark'][] = shotsDir
      ? [
          ['en', 'light'],
          ['zh-CN', 'dark'],
          ['en', 'dark'],
          ['zh-CN', 'light'],
        ]
      : [['en', 'light']];
    for (const [lang, scheme] of shots) {
      const context = await browser.newContext({ viewport: { width: 1400, height: 760 }, colorScheme: scheme, locale: lang === 'zh-CN' ? 'zh-CN' : 'en-US' });
      try {
        const page = await context.newPage();
        await page.goto(host.url);
        await page.locator('.app[data-ready="true"]').waitFor({ timeout: 60_000 });
        await page.keyboard.press('Control+4');
        const childRow = page.locator(`[data-testid=ps-row][data-pid="${childInfo.pid}"]`);
        await childRow.waitFor({ timeout: 60_000 });
        await expect.poll(() => page.getByTestId('ps-row').filter({ hasText: 'services.exe' }).count(), { timeout: 30_000 }).toBeGreaterThan(0);
        await childRow.click();
        await expect.poll(() => page.getByTestId('ps-threads').locator('tr').count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(5);
        await expect.poll(() => page.getByTestId('ps-sockets').textContent(), { timeout: 30_000 }).toContain(`127.0.0.1:${childInfo.clientPort}`);
        if (shotsDir) {
          mkdirSync(shotsDir, { recursive: true });
          await page.waitForTimeout(1200); // one more sample: CPU columns filled
          await page.screenshot({ path: join(shotsDir, `processes-windows-wine-${lang === 'en' ? 'en' : 'zh'}-${scheme}.png`) });
        }
        // The timeline panel words the Windows capture advice in the page's language.
        await page.keyboard.press('Control+3');
        await expect
          .poll(() => page.getByTestId('capture-off').textContent(), { timeout: 30_000 })
          .toContain(captureAdvice('CAPTURE_UNAVAILABLE', 'win32', lang));
        if (shotsDir) await page.screenshot({ path: join(shotsDir, `timeline-windows-wine-${lang === 'en' ? 'en' : 'zh'}-${scheme}.png`) });
      } finally {
        await context.close();
      }
    }
  }, 240_000);

  it('keeps a packet and a setting in a data dir under C:\\users\\学生 one\\AppData\\Roaming and loads them in a new host', async () => {
    const payload = { mode: 'text' as const, text: '你好 wine', encoding: 'utf8' as const, lineEnding: 'crlf' as const };
    const saved = await host.client.call('packets.save', { name: '问候 hello', kind: 'tcp', framing: 'line', payload }, 60_000);
    expect(saved.ok, JSON.stringify(saved.error)).toBe(true);
    const set = await host.client.call('settings.update', { theme: 'dark', language: 'zh-CN', senderLogCapacity: 2000 }, 60_000);
    expect(set.ok, JSON.stringify(set.error)).toBe(true);
    // Where Windows put them, seen from Linux: the prefix's drive_c.
    const unixDir = join(kit.env.WINEPREFIX!, 'drive_c/users', userFolder, 'AppData/Roaming/Wirelab');
    expect(JSON.parse(readFileSync(join(unixDir, 'packets.json'), 'utf8'))).toMatchObject({ packets: [{ name: '问候 hello', payload }] });
    expect(existsSync(join(unixDir, 'settings.json'))).toBe(true);

    await host.client.close();
    host = await serveWindows();
    const list = await host.client.call('packets.list', {}, 60_000);
    expect(list.ok, JSON.stringify(list.error)).toBe(true);
    expect((list.value as SavedPacket[]).map((p) => [p.name, p.framing, p.payload])).toEqual([['问候 hello', 'line', payload]]);
    const got = await host.client.call('settings.get', {}, 60_000);
    expect(got.value as Settings).toMatchObject({ theme: 'dark', language: 'zh-CN', senderLogCapacity: 2000 });
  }, 240_000);
});
