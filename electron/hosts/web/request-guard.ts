import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/**
 * The browser host's three locks. A page on another site could otherwise drive the local
 * services: the token stops anyone who did not see the printed URL; the Host check stops DNS
 * rebinding (evil.example resolving to 127.0.0.1 still sends `Host: evil.example`); the Origin
 * check stops a foreign page from opening the WebSocket with the user's cookie.
 */
export interface GuardConfig {
  token: string;
  /** Exact `host:port` values accepted in the Host header; null accepts any (only with --allow-remote). */
  allowedHosts: Set<string> | null;
  cookieName: string;
}

export type GuardVerdict = { ok: true; via: 'cookie' | 'query' | 'header' } | { ok: false; status: number; reason: string };

export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1';
  return false;
}

/** The Host header values a loopback bind can legitimately receive. */
export function loopbackHostHeaders(bindHost: string, port: number): Set<string> {
  const hosts = new Set<string>([`localhost:${port}`]);
  if (isIP(bindHost) === 6) hosts.add(`[${bindHost}]:${port}`);
  else hosts.add(`${bindHost}:${port}`);
  if (bindHost === '127.0.0.1') hosts.add(`127.0.0.1:${port}`);
  return hosts;
}

export function tokensEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/**
 * Every value the Cookie header gives `name`, as sent (RFC 6265 §5.4: a browser sends each
 * matching cookie, longest Path first, so a same-name cookie planted with `Path=/ws` by another
 * page on this host comes before ours). Values are not percent-decoded: the token is hex, and
 * decoding a planted `%E0` must not be able to throw.
 */
export function readCookies(header: string | undefined, name: string): string[] {
  if (!header) return [];
  const values: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    // cookie-value may be wrapped in DQUOTEs (RFC 6265 §4.1.1)
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    values.push(value);
    // A header is at most 16 KiB (Node's maxHeaderSize); this still bounds the comparisons.
    if (values.length >= 64) break;
  }
  return values;
}

/**
 * The request target as a URL, or null when it is not one (`//[/ws`, `*`, an authority). Only
 * origin-form (`/path?query`) and absolute-form (`http://host/path`, RFC 9112 §3.2.2) are
 * accepted; the origin form is appended to a fixed base rather than resolved against it, so a
 * leading `//` cannot turn the path into an authority.
 */
export function parseRequestTarget(target: string | undefined): URL | null {
  if (!target) return null;
  try {
    if (target.startsWith('/')) return new URL(`http://wirelab.invalid${target}`);
    if (/^https?:\/\//i.test(target)) return new URL(target);
  } catch {
    // fall through: not a URL
  }
  return null;
}

export function checkHostHeader(req: IncomingMessage, config: GuardConfig): GuardVerdict | null {
  const host = req.headers.host;
  if (!host) return { ok: false, status: 400, reason: 'missing Host header' };
  if (config.allowedHosts && !config.allowedHosts.has(host.toLowerCase())) {
    return { ok: false, status: 421, reason: `Host "${host.slice(0, 100)}" is not this server` };
  }
  return null;
}

/**
 * A browser always sends Origin on a WebSocket upgrade and on cross-site requests; it must be
 * this very server. A missing Origin means a non-browser client (the CLI, a test), which still
 * needs the token.
 */
export function checkOrigin(req: IncomingMessage): GuardVerdict | null {
  const origin = req.headers.origin;
  if (origin === undefined) return null;
  const expected = `http://${req.headers.host ?? ''}`.toLowerCase();
  if (origin.toLowerCase() !== expected) return { ok: false, status: 403, reason: `Origin "${origin.slice(0, 100)}" is not allowed` };
  return null;
}

export function checkToken(req: IncomingMessage, url: URL, config: GuardConfig): GuardVerdict {
  const fromQuery = url.searchParams.get('token');
  if (fromQuery !== null && tokensEqual(fromQuery, config.token)) return { ok: true, via: 'query' };
  // Any presented cookie of our name that matches: a foreign page can add cookies, not remove ours.
  let cookieMatches = false;
  for (const value of readCookies(req.headers.cookie, config.cookieName)) cookieMatches = tokensEqual(value, config.token) || cookieMatches;
  if (cookieMatches) return { ok: true, via: 'cookie' };
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ') && tokensEqual(auth.slice(7), config.token)) return { ok: true, via: 'header' };
  return { ok: false, status: 401, reason: 'missing or wrong token' };
}

/** All three checks in order; the first failure wins. */
export function guardRequest(req: IncomingMessage, url: URL, config: GuardConfig): GuardVerdict {
  return checkHostHeader(req, config) ?? checkOrigin(req) ?? checkToken(req, url, config);
}
