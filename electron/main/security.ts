import type { Session, WebContents } from 'electron';

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

function hasCsp(headers: Record<string, string[]> | undefined): boolean {
  return !!headers && Object.keys(headers).some((k) => k.toLowerCase() === 'content-security-policy');
}

function withPolicy(headers: Record<string, string[]> | undefined, policy: string): Record<string, string[]> {
  return { ...headers, 'Content-Security-Policy': [policy] };
}

/**
 * The CSP of the Vite dev server's page (development only, never in a build): its injected
 * scripts and styles carry no nonce, so this is the older host-based policy plus its hot-reload
 * socket.
 */
export function devContentSecurityPolicy(devServerOrigin: string): string {
  return `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' ${devServerOrigin.replace(/^http/, 'ws')}; object-src 'none'; base-uri 'none'; form-action 'none'`;
}

/**
 * No permissions (camera, notifications, geolocation …) and a CSP on every response. The app://
 * handler sets the page's own policy with its nonce (app-protocol.ts), which is kept; anything
 * else that reaches the window may run nothing at all.
 */
export function hardenSession(session: Session, devServerOrigin: string | null): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  const dev = devServerOrigin ? devContentSecurityPolicy(devServerOrigin) : null;
  session.webRequest.onHeadersReceived((details, callback) => {
    if (hasCsp(details.responseHeaders)) return callback({ responseHeaders: details.responseHeaders });
    if (dev && devServerOrigin && details.url.startsWith(devServerOrigin)) return callback({ responseHeaders: withPolicy(details.responseHeaders, dev) });
    // Written out literally (not through lockedDownPolicy) so that scanners can evaluate it.
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': ["default-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"],
      },
    });
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
