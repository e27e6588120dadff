import { beforeAll, describe, expect, it } from 'vitest';
import * as electron from 'electron';
import { ipcChannels } from '../../shared/contract/ipc-channels.ts';

// `electron` is the recording fake from test/support/electron-fake.ts (vitest alias).
const fake = electron as unknown as typeof import('../../test/support/electron-fake.ts');

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function frameEvent(url: string, parent: unknown = null) {
  const sender = fake.BrowserWindow.instances[0]!.webContents;
  return { senderFrame: { url, parent }, sender };
}

beforeAll(async () => {
  await import('./index.ts');
  fake.app.makeReady();
  await until(() => fake.BrowserWindow.instances.length === 1);
});

describe('Electron main process', () => {
  it('sandboxes every renderer and takes the single-instance lock before anything else', () => {
    const names = fake.calls.map((c) => c.name);
    expect(names).toContain('app.enableSandbox');
    expect(names).toContain('app.requestSingleInstanceLock');
  });

  it('opens the window with the security checklist webPreferences', () => {
    const win = fake.BrowserWindow.instances[0]!;
    const prefs = win.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      allowRunningInsecureContent: false,
      disableBlinkFeatures: 'Auxclick',
    });
    expect(String(prefs.preload)).toMatch(/preload[\\/]index\.cjs$/);
    expect(win.options.title).toBe('Wirelab');
    expect(win.loadedUrl).toBe('app://wirelab/index.html');
  });

  it('serves the renderer from a privileged app:// scheme, not file://', () => {
    expect(fake.protocol.privileged).toEqual([{ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }]);
    expect(fake.protocol.handlers.has('app')).toBe(true);
  });

  it('denies every permission request and adds a CSP header', () => {
    const s = fake.session.defaultSession;
    let granted: boolean | null = null;
    s.permissionRequestHandler!(...([null, 'media', (ok: boolean) => (granted = ok)] as never[]));
    expect(granted).toBe(false);
    expect(s.permissionCheckHandler!()).toBe(false);
    let headers: Record<string, string[]> = {};
    s.headersHandler!(
      ...([
        { url: 'https://example.com/', responseHeaders: {} },
        (r: { responseHeaders: Record<string, string[]> }) => (headers = r.responseHeaders),
      ] as never[]),
    );
    // Anything but the app's own page may run nothing.
    expect(headers['Content-Security-Policy']?.[0]).toMatch(/^default-src 'none'/);
    // The app:// page's own nonce policy is kept, not replaced.
    const own = { 'content-security-policy': ["script-src 'nonce-x' 'strict-dynamic'"] };
    s.headersHandler!(
      ...([
        { url: 'app://wirelab/index.html', responseHeaders: own },
        (r: { responseHeaders: Record<string, string[]> }) => (headers = r.responseHeaders),
      ] as never[]),
    );
    expect(headers).toEqual(own);
  });

  it('blocks navigation away from the app, new windows and webviews', () => {
    const wc = fake.BrowserWindow.instances[0]!.webContents;
    const nav = (url: string) => {
      let prevented = false;
      wc.emit('will-navigate', { preventDefault: () => (prevented = true) }, url);
      return prevented;
    };
    expect(nav('https://evil.example/')).toBe(true);
    expect(nav('file:///etc/passwd')).toBe(true);
    expect(nav('app://wirelab/index.html')).toBe(false);
    expect(nav('app://wirelab.evil/index.html')).toBe(true);
    expect(wc.windowOpenHandler!()).toEqual({ action: 'deny' });
  });

  it('carries a command, its input and the typed answer over IPC to the real services', async () => {
    const handler = fake.ipcMain.handlers.get(ipcChannels.invoke)!;
    expect(handler).toBeTypeOf('function');
    const call = async (command: string, input: unknown) =>
      (await handler(...([frameEvent('app://wirelab/index.html'), { command, input }] as never[]))) as {
        ok: boolean;
        value?: unknown;
        error?: { code: string; field?: string };
      };
    const info = (await call('app.info', {})) as { ok: true; value: { host: string } };
    expect(info.value.host).toBe('electron');
    // The input reaches the service: the ping echoes it, and a setting changed here is the one read back.
    expect(await call('app.ping', { at: 1234 })).toMatchObject({ ok: true, value: { at: 1234 } });
    expect(await call('settings.update', { theme: 'light' })).toMatchObject({ ok: true, value: { theme: 'light' } });
    expect(await call('settings.get', {})).toMatchObject({ ok: true, value: { theme: 'light' } });
    // Refusals come back typed, naming the field, instead of throwing across IPC.
    expect(await call('processes.signal', { pid: 0, signal: 'SIGTERM' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'pid' } });
    expect(await call('no.such.command', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_COMMAND' } });
  });

  it('refuses IPC from a foreign page or from a subframe', async () => {
    const handler = fake.ipcMain.handlers.get(ipcChannels.invoke)!;
    const foreign = await handler(...([frameEvent('https://evil.example/'), { command: 'app.info', input: {} }] as never[]));
    expect(foreign).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const sub = await handler(...([frameEvent('app://wirelab/index.html', { url: 'app://wirelab/' }), { command: 'app.info', input: {} }] as never[]));
    expect(sub).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const junk = await handler(...([frameEvent('app://wirelab/index.html'), 'app.info'] as never[]));
    expect(junk).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('closes the services on quit (IPC handlers removed) and then quits', async () => {
    const before = fake.calls.filter((c) => c.name === 'app.quit').length;
    fake.app.quit();
    await until(() => fake.calls.filter((c) => c.name === 'app.quit').length >= before + 2);
    expect(fake.ipcMain.handlers.has(ipcChannels.invoke)).toBe(false);
  });
});
