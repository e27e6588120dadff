/**
 * A recording stand-in for the `electron` module, used by vitest (see vitest.config.ts). It
 * keeps what the shell asked of Electron — window options, IPC handlers, session hooks — so
 * tests can assert the security settings and the IPC bridge without the binary.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Fn = (...args: never[]) => unknown;

export const calls: { name: string; args: unknown[] }[] = [];
function record(name: string, ...args: unknown[]): void {
  calls.push({ name, args });
}

class FakeWebContents extends EventEmitter {
  static nextId = 1;
  id = FakeWebContents.nextId++;
  windowOpenHandler: Fn | null = null;
  sent: { channel: string; payload: unknown }[] = [];
  setWindowOpenHandler(handler: Fn): void {
    this.windowOpenHandler = handler;
  }
  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload });
  }
  isDestroyed(): boolean {
    return false;
  }
}

export class BrowserWindow extends EventEmitter {
  static instances: BrowserWindow[] = [];
  webContents = new FakeWebContents();
  loadedUrl: string | null = null;
  constructor(public options: Record<string, unknown>) {
    super();
    BrowserWindow.instances.push(this);
  }
  loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
    return Promise.resolve();
  }
  show(): void {}
  focus(): void {}
  restore(): void {}
  isMinimized(): boolean {
    return false;
  }
}

const userData = mkdtempSync(join(tmpdir(), 'wirelab-electron-fake-'));
let resolveReady: () => void = () => undefined;
const ready = new Promise<void>((r) => {
  resolveReady = r;
});

class FakeApp extends EventEmitter {
  isPackaged = false;
  enableSandbox(): void {
    record('app.enableSandbox');
  }
  requestSingleInstanceLock(): boolean {
    record('app.requestSingleInstanceLock');
    return true;
  }
  whenReady(): Promise<void> {
    return ready;
  }
  getPath(name: string): string {
    return name === 'userData' ? userData : tmpdir();
  }
  getVersion(): string {
    return '0.0.0-test';
  }
  getLocale(): string {
    return 'en-US';
  }
  quit(): void {
    record('app.quit');
    const event = {
      defaultPrevented: false,
      preventDefault() {
        this.defaultPrevented = true;
      },
    };
    this.emit('before-quit', event);
  }
  /** Test hook: fire `ready`. */
  makeReady(): void {
    resolveReady();
  }
}
export const app = new FakeApp();

class FakeIpcMain extends EventEmitter {
  handlers = new Map<string, Fn>();
  handle(channel: string, handler: Fn): void {
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
}
export const ipcMain = new FakeIpcMain();

export const session = {
  defaultSession: {
    permissionRequestHandler: null as Fn | null,
    permissionCheckHandler: null as Fn | null,
    headersHandler: null as Fn | null,
    setPermissionRequestHandler(h: Fn) {
      this.permissionRequestHandler = h;
    },
    setPermissionCheckHandler(h: Fn) {
      this.permissionCheckHandler = h;
    },
    webRequest: {
      onHeadersReceived(h: Fn) {
        session.defaultSession.headersHandler = h;
      },
    },
  },
};

export const protocol = {
  privileged: [] as unknown[],
  handlers: new Map<string, Fn>(),
  registerSchemesAsPrivileged(schemes: unknown[]) {
    this.privileged.push(...schemes);
  },
  handle(scheme: string, handler: Fn) {
    this.handlers.set(scheme, handler);
  },
};

export const nativeTheme = { shouldUseDarkColors: false };

export const contextBridge = {
  exposed: new Map<string, unknown>(),
  exposeInMainWorld(key: string, api: unknown) {
    this.exposed.set(key, api);
  },
};

class FakeIpcRenderer extends EventEmitter {
  sent: { channel: string; args: unknown[] }[] = [];
  invoked: { channel: string; args: unknown[] }[] = [];
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.invoked.push({ channel, args });
    return Promise.resolve({ ok: true, value: null });
  }
}
export const ipcRenderer = new FakeIpcRenderer();

export default { app, BrowserWindow, ipcMain, session, protocol, nativeTheme, contextBridge, ipcRenderer };
