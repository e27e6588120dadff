import { promises as fs } from 'node:fs';
import { extname, join, sep } from 'node:path';
import { resolveStaticPath as resolvePath } from '../../../shared/http/static-path.ts';
import { contentSecurityPolicy, lockedDownPolicy, newNonce, withNonce } from '../../core/csp.ts';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentType(path: string): string {
  return types[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Maps a URL path onto a file inside `root`, or null when it would escape it: the same pure
 * check the course's HTTP server uses (shared/http/static-path.ts: `..` plain or encoded, an
 * encoded slash, NUL, drive letters). Unknown paths fall back to index.html so the single-page
 * app can route.
 */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  const r = resolvePath(urlPath);
  if (!r.ok) return null;
  const full = join(root, ...(r.segments.length ? r.segments : ['index.html']));
  const rootWithSep = root.endsWith(sep) ? root : root + sep;
  if (full !== root && !full.startsWith(rootWithSep)) return null;
  return full;
}

export async function readStatic(root: string, urlPath: string): Promise<{ path: string; body: Buffer } | null> {
  const path = resolveStaticPath(root, urlPath);
  if (!path) return null;
  try {
    const stat = await fs.stat(path);
    if (stat.isFile()) return { path, body: await fs.readFile(path) };
  } catch {
    // fall through to the app's entry page
  }
  if (extname(path) !== '') return null;
  const index = join(root, 'index.html');
  try {
    return { path: index, body: await fs.readFile(index) };
  } catch {
    return null;
  }
}

/**
 * A static file as both hosts send it (the browser host over HTTP, Electron's app:// protocol):
 * the page gets a fresh nonce on its tags and in its policy; anything else runs nothing.
 */
export function servedFile(file: { path: string; body: Buffer }): { body: Buffer; page: boolean; headers: Record<string, string> } {
  const page = file.path.endsWith('.html');
  const nonce = page ? newNonce() : '';
  const body = page ? Buffer.from(withNonce(file.body.toString('utf8'), nonce)) : file.body;
  return {
    body,
    page,
    headers: {
      'content-type': contentType(file.path),
      'content-security-policy': page ? contentSecurityPolicy(nonce) : lockedDownPolicy,
      'x-content-type-options': 'nosniff',
    },
  };
}
