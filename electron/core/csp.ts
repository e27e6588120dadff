/**
 * One Content-Security-Policy for both hosts. Scripts only from the app itself (no inline, no
 * eval); `connect-src 'self'` covers the browser host's own WebSocket (CSP3 maps 'self' to ws:
 * on the same host and port). No inline styles either: the UI styles itself from its CSS file.
 */
export function contentSecurityPolicy(extraConnect: string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self'${extraConnect.map((c) => ` ${c}`).join('')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
