import type { Session, WebContents } from 'electron';
import { contentSecurityPolicy } from '../core/csp.ts';

/** True when `url` belongs to the app itself (the app:// origin, or the dev server in development). */
export function isAppUrl(url: string, appOrigins: readonly string[]): boolean {
  try {
    const origin = new URL(url).origin;
    // app:// URLs report origin "null" in Node's URL parser unless the scheme is special: compare by prefix.
    return appOrigins.some((o) => url.startsWith(`${o}/`) || url === o || origin === o);
  } catch {
    return false;
  }
}

/** No permissions (camera, notifications, geolocation …) and a CSP header on every response. */
export function hardenSession(session: Session, devServerOrigin: string | null): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  const csp = contentSecurityPolicy(devServerOrigin ? [devServerOrigin.replace(/^http/, 'ws')] : []);
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });
}

/** The page may not navigate away, open windows, or attach webviews. */
export function hardenContents(contents: WebContents, appOrigins: readonly string[]): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, appOrigins)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url, appOrigins)) event.preventDefault();
  });
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
