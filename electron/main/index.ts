import { app, BrowserWindow, ipcMain, session, utilityProcess } from 'electron';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBackend, type Backend } from '../services/backend.ts';
import { Logger } from '../core/logger.ts';
import { appOrigin, registerAppScheme, serveAppProtocol } from './app-protocol.ts';
import { registerIpc } from './ipc-bridge.ts';
import { hardenSession } from './security.ts';
import { createMainWindow } from './window.ts';

// Everything that must happen before `ready`: sandbox every renderer, one instance only.
app.enableSandbox();
registerAppScheme();
const here = fileURLToPath(new URL('.', import.meta.url));

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  void start();
}

async function start(): Promise<void> {
  let backend: Backend | null = null;
  let disposeIpc: (() => void) | null = null;
  let window: BrowserWindow | null = null;
  // electron-vite sets this in `dev`; a packaged app never has it.
  const devUrl = !app.isPackaged ? (process.env.ELECTRON_RENDERER_URL ?? null) : null;
  const devOrigin = devUrl ? new URL(devUrl).origin : null;
  const appOrigins = devOrigin ? [appOrigin, devOrigin] : [appOrigin];

  app.on('second-instance', () => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });

  // Close every socket and child process the services own before the process ends.
  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting || !backend) return;
    event.preventDefault();
    quitting = true;
    disposeIpc?.();
    void backend.dispose().finally(() => app.quit());
  });
  app.on('window-all-closed', () => app.quit());

  await app.whenReady();
  backend = await createBackend({
    host: 'electron',
    dataDir: app.getPath('userData'),
    version: app.getVersion(),
    logger: new Logger(2000, (line) => process.stderr.write(`${line}\n`)),
    // Release builds turn the RunAsNode fuse off, so the labs' Node children are utility processes.
    launchNode: (script, args) =>
      new Promise((resolve, reject) => {
        const child = utilityProcess.fork(script, args, { serviceName: 'Wirelab lab', stdio: 'ignore' });
        child.once('spawn', () => resolve({ pid: child.pid!, kill: () => void child.kill() }));
        child.once('exit', (code) => reject(new Error(`the lab process exited at once (code ${code})`)));
      }),
  });
  hardenSession(session.defaultSession, devOrigin);
  serveAppProtocol(join(here, '../renderer'));
  disposeIpc = registerIpc(ipcMain, backend, appOrigins);

  window = createMainWindow({
    preloadPath: join(here, '../preload/index.cjs'),
    iconPath: join(here, '../renderer/icon.png'),
    startUrl: devUrl ?? `${appOrigin}/index.html`,
    appOrigins,
  });
  window.on('closed', () => {
    window = null;
  });
}
