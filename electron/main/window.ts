import { BrowserWindow, nativeTheme } from 'electron';
import { hardenContents, secureWebPreferences } from './security.ts';

export interface WindowOptions {
  preloadPath: string;
  iconPath: string;
  startUrl: string;
  appOrigins: readonly string[];
}

export function createMainWindow(options: WindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 720,
    minHeight: 480,
    title: 'Wirelab',
    icon: options.iconPath,
    show: false,
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#11151b' : '#f6f7f9',
    autoHideMenuBar: true,
    webPreferences: secureWebPreferences(options.preloadPath),
  });
  hardenContents(win.webContents, options.appOrigins);
  win.once('ready-to-show', () => win.show());
  void win.loadURL(options.startUrl);
  return win;
}
