/**
 * HTTP/1.1 responses as bytes (RFC 9112 4–6): the status line, headers, a blank line, and the
 * body — the course's response picture (seed 003: 状态行, 消息报头, 空行, 响应正文). Each line ends
 * with CRLF, the two bytes a fixed reply typed as `\r\n` used to send as four characters.
 */

/** Reason phrases of the statuses Wirelab's HTTP server answers (RFC 9110 15). */
export const reasonPhrases: Record<number, string> = {
  200: 'OK',
  204: 'No Content',
  301: 'Moved Permanently',
  304: 'Not Modified',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Content Too Large',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  505: 'HTTP Version Not Supported',
};

export interface ResponseHead {
  status: number;
  headers: [string, string][];
}

const utf8 = new TextEncoder();

/** The status line and headers, up to and including the blank line. */
export function responseHead(r: ResponseHead): Uint8Array {
  const lines = [`HTTP/1.1 ${r.status} ${reasonPhrases[r.status] ?? 'Unknown'}`];
  for (const [k, v] of r.headers) {
    // a CR or LF in a value would let it write its own headers (response splitting)
    if (/[\r\n]/.test(k) || /[\r\n]/.test(v)) throw new Error(`header ${JSON.stringify(k)}: CR and LF are not allowed`);
    lines.push(`${k}: ${v}`);
  }
  return utf8.encode(lines.join('\r\n') + '\r\n\r\n');
}

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => escapes[c]!);
}

/** A small HTML page saying what went wrong (or a folder's listing): the body of a 4xx / 5xx. */
export function statusPage(status: number, detail: string): Uint8Array {
  const title = `${status} ${reasonPhrases[status] ?? ''}`.trim();
  return utf8.encode(
    `<!doctype html>\n<html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><p>${escapeHtml(detail)}</p></body></html>\n`,
  );
}

/** A folder's listing, links relative to the folder (its URL ends with "/"). */
export function listingPage(urlPath: string, entries: { name: string; dir: boolean }[]): Uint8Array {
  const items = entries
    .map((e) => {
      const name = e.dir ? `${e.name}/` : e.name;
      return `<li><a href="${encodeURIComponent(e.name)}${e.dir ? '/' : ''}">${escapeHtml(name)}</a></li>`;
    })
    .join('\n');
  const title = `Index of ${escapeHtml(urlPath)}`;
  return utf8.encode(
    `<!doctype html>\n<html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><ul>\n${items}\n</ul></body></html>\n`,
  );
}

/**
 * A whole response with an in-memory body: Content-Length always (so the connection can stay
 * open: RFC 9112 6.3), `Connection: close` when it will not. HEAD gets the same head, no body.
 */
export function response(o: { status: number; type?: string; body: Uint8Array; close: boolean; head?: boolean; extra?: [string, string][] }): {
  head: Uint8Array;
  body: Uint8Array;
} {
  const headers: [string, string][] = [];
  if (o.type) headers.push(['Content-Type', o.type]);
  headers.push(['Content-Length', String(o.body.length)], ...(o.extra ?? []));
  if (o.close) headers.push(['Connection', 'close']);
  return { head: responseHead({ status: o.status, headers }), body: o.head ? new Uint8Array(0) : o.body };
}
