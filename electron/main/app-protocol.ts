import { protocol } from 'electron';
import { readStatic, servedFile } from '../hosts/web/static-files.ts';

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
    const { body, headers } = servedFile(file);
    return new Response(new Uint8Array(body), { headers });
  });
}
