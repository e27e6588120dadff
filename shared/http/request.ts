import { WirelabError } from '../contract/errors.ts';

/**
 * An HTTP/1.1 request built byte by byte (RFC 9112 §3), so the composer can show exactly what
 * goes on the wire before it is sent: the request line, Host, the user's header fields,
 * Content-Length when there is a body, `Connection: close`, the blank line, the body. One
 * function for the GUI's preview, the backend and `wirelab http`, so the preview is the truth.
 *
 * Only http://: https needs a TLS handshake, and what TLS puts on the wire is ciphertext — the
 * bytes a student would read here would not be the request. (Use curl for https.)
 */

export interface HttpTarget {
  host: string;
  port: number;
  /** The request target: path and query, as typed (percent-encoding kept). */
  path: string;
  /** The Host field's value: the host, with the port when it is not 80. */
  authority: string;
}

function bad(code: string, field: string, message: string): WirelabError {
  return new WirelabError(code, `${field}: ${message}`, field, { field });
}

export function parseHttpUrl(text: string, field = 'url'): HttpTarget {
  const url = text.trim();
  if (/^https:/i.test(url))
    throw bad('HTTP_URL', field, 'https is not offered: TLS would put ciphertext on the wire, not the request you could read here; use an http:// URL');
  if (!/^http:\/\//i.test(url)) throw bad('HTTP_URL', field, `"${url.slice(0, 60)}" is not an http:// URL (write http://127.0.0.1:8000/index.html)`);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw bad('HTTP_URL', field, `"${url.slice(0, 60)}" is not a valid URL`);
  }
  if (!u.hostname) throw bad('HTTP_URL', field, 'the URL has no host');
  if (u.username || u.password) throw bad('HTTP_URL', field, 'a user name or password in the URL is not sent; add an Authorization header instead');
  const port = u.port ? Number(u.port) : 80;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return { host, port, path: `${u.pathname || '/'}${u.search}`, authority: u.port ? u.host : u.hostname };
}

/** RFC 9110 §5.6.2 token: what a method and a field name may be made of. */
const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function checkMethod(method: string, field = 'method'): string {
  if (!token.test(method)) throw bad('HTTP_METHOD', field, `"${method.slice(0, 20)}" is not a method (letters such as GET, POST, PUT, DELETE, HEAD)`);
  return method;
}

/** "Name: value" as typed, checked: a token name and a value without CR or LF (which would start a new header: request splitting). */
export function parseHeaderLine(line: string, field: string): [string, string] {
  const colon = line.indexOf(':');
  const name = colon > 0 ? line.slice(0, colon).trim() : '';
  if (!name || !token.test(name)) throw bad('HTTP_HEADER', field, `"${line.slice(0, 60)}" is not "Name: value"`);
  const value = line.slice(colon + 1).trim();
  if (/[\r\n\0]/.test(value)) throw bad('HTTP_HEADER', field, `the value of ${name} holds a line break, which would end the header there`);
  return [name, value];
}

export interface HttpRequestSpec {
  method: string;
  url: string;
  headers: string[];
  body: Uint8Array;
}

const ascii = new TextEncoder();

/** The request's exact bytes and where they go. */
export function buildHttpRequest(spec: HttpRequestSpec): { target: HttpTarget; bytes: Uint8Array; head: string } {
  const method = checkMethod(spec.method.trim());
  const target = parseHttpUrl(spec.url);
  const fields = spec.headers.filter((h) => h.trim() !== '').map((h, i) => parseHeaderLine(h, `headers[${i}]`));
  const has = (n: string) => fields.some(([k]) => k.toLowerCase() === n);
  const lines = [`${method} ${target.path} HTTP/1.1`];
  if (!has('host')) lines.push(`Host: ${target.authority}`);
  for (const [k, v] of fields) lines.push(`${k}: ${v}`);
  // a body's length tells the server where it ends (RFC 9112 §6.2); without it the server would wait
  if (!has('content-length') && !has('transfer-encoding') && (spec.body.length > 0 || ['POST', 'PUT', 'PATCH'].includes(method)))
    lines.push(`Content-Length: ${spec.body.length}`);
  // one request per connection: the response then also ends when the server closes
  if (!has('connection')) lines.push('Connection: close');
  const head = `${lines.join('\r\n')}\r\n\r\n`;
  const headBytes = ascii.encode(head);
  const bytes = new Uint8Array(headBytes.length + spec.body.length);
  bytes.set(headBytes);
  bytes.set(spec.body, headBytes.length);
  return { target, bytes, head };
}
