import { protocol } from 'electron';
import { contentSecurityPolicy, lockedDownPolicy, newNonce, withNonce } from '../core/csp.ts';
import { contentType, readStatic } from '../hosts/web/static-files.ts';

/** The renderer loads from app://wirelab/ rather than file://, so it has a real origin to check. */
export const appScheme = 'app';
export const appOrigin = `${appScheme}://wirelab`;

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: appScheme, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

export function serveAppProtocol(rendererDir: string): void {
  protocol.handle(appScheme, async (request) => {
    const url = new URL(request.url);
    if (url.host !== 'wirelab') return new Response('not found', { status: 404 });
    const file = await readStatic(rendererDir, url.pathname);
    if (!file) return new Response('not found', { status: 404 });
    // As the browser host does: a fresh nonce on the page's tags and in its policy.
    const page = file.path.endsWith('.html');
    const nonce = page ? newNonce() : '';
    const body = page ? Buffer.from(withNonce(file.body.toString('utf8'), nonce)) : file.body;
    return new Response(new Uint8Array(body), {
      headers: {
        'content-type': contentType(file.path),
        'content-security-policy': page ? contentSecurityPolicy(nonce) : lockedDownPolicy,
        'x-content-type-options': 'nosniff',
      },
    });
  });
}
