import { randomBytes } from 'node:crypto';

/**
 * One Content-Security-Policy for both hosts (CSP Level 3). Scripts run only when they carry
 * this response's nonce; `'strict-dynamic'` lets those scripts load their own modules and makes
 * the browser ignore host allow-lists, which can be bypassed through any script on an allowed
 * origin (the weakness Electronegativity and Google's CSP Evaluator report for `script-src
 * 'self'`). No inline handlers, no eval, no plugins (`object-src 'none'`), no `<base>` to
 * re-point relative script URLs (`base-uri 'none'`), and DOM sinks such as innerHTML take no
 * plain strings (`require-trusted-types-for 'script'`; `trusted-types 'none'` allows no policy:
 * React 19 renders through DOM APIs and the UI uses no HTML strings). `connect-src 'self'` covers
 * the browser host's own WebSocket (CSP3 maps 'self' to ws: on the same host and port).
 */
export function contentSecurityPolicy(nonce: string, extraConnect: string[] = []): string {
  return [
    "default-src 'self'",
    `script-src 'nonce-${nonce}' 'strict-dynamic'`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self'${extraConnect.map((c) => ` ${c}`).join('')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "require-trusted-types-for 'script'",
    "trusted-types 'none'",
  ].join('; ');
}

/** For responses that are not the app's page (assets, refusals): nothing may run or load. */
export const lockedDownPolicy = "default-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** 128 random bits, fresh for every page response (CSP3 §6.7.2.2: unguessable, never reused). */
export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

/**
 * Puts `nonce` on every `<script>`, `<link>` and `<style>` tag of the app's page, and adds the
 * `<meta property="csp-nonce">` that Vite's module preloader reads to give the same nonce to
 * what it inserts. Only the hosts' own built index.html passes through here, so a tag-level
 * rewrite is enough; existing nonce attributes are replaced, never duplicated.
 */
export function withNonce(html: string, nonce: string): string {
  const tagged = html.replace(/\snonce="[^"]*"/gi, '').replace(/<(script|link|style)(?=[\s>])/gi, (_m, tag: string) => `<${tag} nonce="${nonce}"`);
  const meta = `<meta property="csp-nonce" nonce="${nonce}" />`;
  return /<head[^>]*>/i.test(tagged) ? tagged.replace(/<head[^>]*>/i, (head) => `${head}\n    ${meta}`) : `${meta}\n${tagged}`;
}
