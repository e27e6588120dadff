import { limits } from '../contract/limits.ts';

/**
 * An incremental HTTP/1.1 request parser (RFC 9112) for Wirelab's tiny web server: bytes go in
 * as the socket delivers them (a request can arrive in pieces, or several pipelined requests in
 * one recv() — the sticky-packet lesson once more), complete requests come out. The course's
 * request picture (seed 003): request line, headers, a blank line, then the body.
 *
 * A request the parser cannot take is one problem, by variant, with the status to answer: the
 * stream has lost its boundaries, so the server answers it and closes the connection.
 */

export interface HttpRequest {
  method: string;
  /** The request-target as sent: `/a/b.html?x=1`, or absolute-form `http://host/a`. */
  target: string;
  /** "HTTP/1.1" or "HTTP/1.0". */
  version: string;
  /** In the order received, names as sent (look them up with `header()`). */
  headers: [string, string][];
  body: Uint8Array;
  /** The body came with Transfer-Encoding: chunked (decoded in `body`). */
  chunked: boolean;
  /** Bytes this request took on the wire, head and body. */
  wireBytes: number;
}

export const httpProblemVariants = [
  'not-http',
  'version',
  'header-too-large',
  'too-many-headers',
  'bad-header',
  'bad-length',
  'bad-chunk',
  'body-too-large',
  'unsupported-coding',
] as const;
export type HttpProblemVariant = (typeof httpProblemVariants)[number];

export interface HttpProblem {
  variant: HttpProblemVariant;
  /** The status a server answers it with. */
  status: 400 | 413 | 431 | 501 | 505;
  /** English, for the CLI and the log. */
  message: string;
}

export interface HttpParserLimits {
  headerBytes: number;
  headerCount: number;
  bodyBytes: number;
}

const statusOf: Record<HttpProblemVariant, HttpProblem['status']> = {
  'not-http': 400,
  version: 505,
  'header-too-large': 431,
  'too-many-headers': 431,
  'bad-header': 400,
  'bad-length': 400,
  'bad-chunk': 400,
  'body-too-large': 413,
  'unsupported-coding': 501,
};

/** RFC 9110 5.6.2 token characters: what a method and a header name are made of. */
const tchar = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const requestLine = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) (\S+) HTTP\/(\d)\.(\d)$/;
const latin1 = new TextDecoder('latin1');

/** The first value of header `name` (case-insensitive), or undefined. */
export function header(headers: readonly [string, string][], name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers.find(([k]) => k.toLowerCase() === lower)?.[1];
}

/** Whether the connection stays open after this request (RFC 9112 9.3: 1.1 persists unless "close", 1.0 only with "keep-alive"). */
export function keepsAlive(r: Pick<HttpRequest, 'headers' | 'version'>): boolean {
  const tokens = (header(r.headers, 'connection') ?? '')
    .toLowerCase()
    .split(',')
    .map((t) => t.trim());
  if (tokens.includes('close')) return false;
  return r.version === 'HTTP/1.1' || tokens.includes('keep-alive');
}

type State =
  | { at: 'head' }
  | { at: 'body'; left: number }
  | { at: 'chunk-size' }
  | { at: 'chunk-data'; left: number }
  | { at: 'chunk-end' }
  | { at: 'trailers'; bytes: number }
  | { at: 'failed' };

export class HttpRequestParser {
  /** Set at the first request the parser cannot take; nothing is parsed after it. */
  problem: HttpProblem | null = null;
  private buf = new Uint8Array(0);
  private start = 0;
  private end = 0;
  private state: State = { at: 'head' };
  private current: Omit<HttpRequest, 'body' | 'wireBytes'> | null = null;
  private body: Uint8Array[] = [];
  private bodyBytes = 0;
  private wire = 0;

  constructor(
    private readonly max: HttpParserLimits = { headerBytes: limits.httpHeaderBytes, headerCount: limits.httpHeaderCount, bodyBytes: limits.httpBodyBytes },
  ) {}

  /** Bytes held for a request not yet complete. */
  get pending(): number {
    return this.end - this.start;
  }

  /** Whether a request has begun and not yet ended (a peer that closes now cut it short). */
  get midRequest(): boolean {
    return this.state.at !== 'failed' && (this.state.at !== 'head' || this.pending > 0);
  }

  /** Feeds bytes; returns every request they complete. */
  push(chunk: Uint8Array): HttpRequest[] {
    if (this.state.at === 'failed') return [];
    this.append(chunk);
    const out: HttpRequest[] = [];
    for (;;) {
      const before = this.start;
      const stateBefore = this.state.at;
      const done = this.step();
      if (done) out.push(done);
      if (this.failed()) break;
      if (!done && before === this.start && stateBefore === this.state.at) break; // needs more bytes
    }
    if (this.start === this.end) this.start = this.end = 0;
    return out;
  }

  /** A method, not a property read, so the narrowing of `state` before step() does not outlive the call. */
  private failed(): boolean {
    return this.state.at === 'failed';
  }

  private fail(variant: HttpProblemVariant, message: string): null {
    this.problem = { variant, status: statusOf[variant], message };
    this.state = { at: 'failed' };
    this.body = [];
    return null;
  }

  private append(chunk: Uint8Array): void {
    if (this.end + chunk.length > this.buf.length) {
      const live = this.end - this.start;
      if (live + chunk.length > this.buf.length) {
        const next = new Uint8Array(Math.max(1024, (live + chunk.length) * 2));
        next.set(this.buf.subarray(this.start, this.end), 0);
        this.buf = next;
      } else this.buf.copyWithin(0, this.start, this.end);
      this.end = live;
      this.start = 0;
    }
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }

  /** The index just past the next "\n" from `from`, or -1. */
  private lineEnd(from: number): number {
    const i = this.buf.subarray(from, this.end).indexOf(0x0a);
    return i < 0 ? -1 : from + i + 1;
  }

  /** One line without its CRLF (a bare LF is accepted, RFC 9112 2.2). */
  private lineText(from: number, to: number): string {
    let e = to - 1;
    if (e > from && this.buf[e - 1] === 0x0d) e--;
    return latin1.decode(this.buf.subarray(from, e));
  }

  private step(): HttpRequest | null {
    switch (this.state.at) {
      case 'head':
        return this.readHead();
      case 'body': {
        const take = Math.min(this.state.left, this.pending);
        if (take > 0) this.takeBody(take);
        this.state.left -= take;
        return this.state.left === 0 ? this.finish() : null;
      }
      case 'chunk-size': {
        const e = this.lineEnd(this.start);
        if (e < 0) {
          if (this.pending > 1024) return this.fail('bad-chunk', 'a chunk-size line longer than 1024 bytes');
          return null;
        }
        const line = this.lineText(this.start, e);
        this.consume(e - this.start);
        // chunk-size [; chunk-ext] (RFC 9112 7.1); more than 8 hex digits would overflow what a body may hold anyway
        const m = /^([0-9A-Fa-f]{1,8})[ \t]*(;.*)?$/.exec(line);
        if (!m) return this.fail('bad-chunk', `"${line.slice(0, 40)}" is not a chunk size (hex digits)`);
        const size = parseInt(m[1]!, 16);
        if (this.bodyBytes + size > this.max.bodyBytes) return this.tooLarge();
        this.state = size === 0 ? { at: 'trailers', bytes: 0 } : { at: 'chunk-data', left: size };
        return null;
      }
      case 'chunk-data': {
        const take = Math.min(this.state.left, this.pending);
        if (take > 0) this.takeBody(take);
        this.state.left -= take;
        if (this.state.left === 0) this.state = { at: 'chunk-end' };
        return null;
      }
      case 'chunk-end': {
        const e = this.lineEnd(this.start);
        if (e < 0) return this.pending > 2 ? this.fail('bad-chunk', 'a chunk is longer than its size says') : null;
        if (this.lineText(this.start, e) !== '') return this.fail('bad-chunk', 'a chunk is longer than its size says');
        this.consume(e - this.start);
        this.state = { at: 'chunk-size' };
        return null;
      }
      case 'trailers': {
        const e = this.lineEnd(this.start);
        if (e < 0) {
          if (this.state.bytes + this.pending > this.max.headerBytes)
            return this.fail('header-too-large', `the trailers pass ${this.max.headerBytes} bytes (limit httpHeaderBytes)`);
          return null;
        }
        const line = this.lineText(this.start, e);
        this.state.bytes += e - this.start;
        this.consume(e - this.start);
        if (this.state.bytes > this.max.headerBytes)
          return this.fail('header-too-large', `the trailers pass ${this.max.headerBytes} bytes (limit httpHeaderBytes)`);
        return line === '' ? this.finish() : null;
      }
      case 'failed':
        return null;
    }
  }

  private consume(n: number): void {
    this.start += n;
    this.wire += n;
  }

  private takeBody(n: number): void {
    this.body.push(this.buf.slice(this.start, this.start + n));
    this.bodyBytes += n;
    this.consume(n);
  }

  private tooLarge(): null {
    return this.fail('body-too-large', `the body passes ${this.max.bodyBytes} bytes (limit httpBodyBytes)`);
  }

  private readHead(): HttpRequest | null {
    // RFC 9112 2.2: empty lines before the request line are ignored (a client's stray CRLF after a body)
    while (this.pending > 0 && (this.buf[this.start] === 0x0d || this.buf[this.start] === 0x0a)) {
      if (this.buf[this.start] === 0x0d && this.pending < 2) return null;
      if (this.buf[this.start] === 0x0d && this.buf[this.start + 1] !== 0x0a) return this.fail('not-http', 'a carriage return not followed by a line feed');
      this.start += this.buf[this.start] === 0x0d ? 2 : 1;
    }
    if (this.pending === 0) return null;
    // Before the whole line is in, a method that is not a token already says "not HTTP" (a TLS hello, binary, a chat line).
    const firstLineEnd = this.lineEnd(this.start);
    const seen = latin1.decode(this.buf.subarray(this.start, firstLineEnd < 0 ? Math.min(this.end, this.start + 64) : firstLineEnd));
    const space = seen.indexOf(' ');
    const method = space >= 0 ? seen.slice(0, space) : firstLineEnd < 0 ? seen : '';
    if (method !== '' && !tchar.test(method))
      return this.fail('not-http', `the request line does not start with a method: ${JSON.stringify(seen.slice(0, 40))}`);
    // and a complete first line is judged at once: a peer that is not speaking HTTP hears 400 now, not after a blank line it will never send
    if (firstLineEnd >= 0) {
      const m = requestLine.exec(this.lineText(this.start, firstLineEnd));
      if (!m) return this.fail('not-http', `not an HTTP request line (METHOD /path HTTP/1.1): ${JSON.stringify(seen.replace(/\r?\n$/, '').slice(0, 80))}`);
      if (m[3] !== '1') return this.fail('version', `HTTP/${m[3]}.${m[4]} is not spoken here; this server speaks HTTP/1.1`);
    }
    // find the blank line that ends the head
    let pos = this.start;
    const lines: [number, number][] = [];
    for (;;) {
      const e = this.lineEnd(pos);
      if (e < 0) {
        if (this.end - this.start > this.max.headerBytes)
          return this.fail('header-too-large', `the request line and headers pass ${this.max.headerBytes} bytes (limit httpHeaderBytes)`);
        return null;
      }
      if (e - this.start > this.max.headerBytes)
        return this.fail('header-too-large', `the request line and headers pass ${this.max.headerBytes} bytes (limit httpHeaderBytes)`);
      const blank = e - pos === 1 || (e - pos === 2 && this.buf[pos] === 0x0d);
      if (blank) {
        pos = e;
        break;
      }
      lines.push([pos, e]);
      if (lines.length > this.max.headerCount + 1)
        return this.fail('too-many-headers', `more than ${this.max.headerCount} header lines (limit httpHeaderCount)`);
      pos = e;
    }
    const first = this.lineText(lines[0]![0], lines[0]![1]);
    const m = requestLine.exec(first)!; // checked above, when the first line came in
    const headers: [string, string][] = [];
    for (const [a, b] of lines.slice(1)) {
      const line = this.lineText(a, b);
      // obs-fold (a line starting with whitespace) and "name :" are refused, as RFC 9112 5.1–5.2 asks of a server
      const colon = line.indexOf(':');
      const name = colon < 0 ? '' : line.slice(0, colon);
      if (!tchar.test(name)) return this.fail('bad-header', `not a header line (Name: value): ${JSON.stringify(line.slice(0, 80))}`);
      headers.push([name, line.slice(colon + 1).trim()]);
    }
    this.consume(pos - this.start);
    this.current = { method: m[1]!, target: m[2]!, version: `HTTP/${m[3]}.${m[4]}`, headers, chunked: false };
    this.body = [];
    this.bodyBytes = 0;
    return this.startBody(headers);
  }

  private startBody(headers: [string, string][]): HttpRequest | null {
    const te = headers.filter(([k]) => k.toLowerCase() === 'transfer-encoding').map(([, v]) => v.toLowerCase());
    const cl = headers.filter(([k]) => k.toLowerCase() === 'content-length').flatMap(([, v]) => v.split(',').map((x) => x.trim()));
    if (te.length > 0) {
      // Both framings at once is how requests are smuggled past a proxy (RFC 9112 6.1): refused.
      if (cl.length > 0) return this.fail('bad-length', 'both Transfer-Encoding and Content-Length; send one');
      const codings = te
        .join(',')
        .split(',')
        .map((c) => c.trim());
      if (codings.at(-1) !== 'chunked' || codings.length > 1)
        return this.fail('unsupported-coding', `Transfer-Encoding "${te.join(', ')}": only chunked is read here`);
      this.current!.chunked = true;
      this.state = { at: 'chunk-size' };
      return null;
    }
    if (cl.length > 0) {
      if (!cl.every((v) => /^\d{1,15}$/.test(v)) || new Set(cl).size > 1)
        return this.fail('bad-length', `Content-Length "${cl.join(', ')}" is not one whole number of bytes`);
      const n = Number(cl[0]);
      if (n > this.max.bodyBytes) return this.tooLarge();
      if (n > 0) {
        this.state = { at: 'body', left: n };
        return null;
      }
    }
    return this.finish();
  }

  private finish(): HttpRequest {
    const body = new Uint8Array(this.bodyBytes);
    let o = 0;
    for (const p of this.body) {
      body.set(p, o);
      o += p.length;
    }
    const r: HttpRequest = { ...this.current!, body, wireBytes: this.wire };
    this.current = null;
    this.body = [];
    this.bodyBytes = 0;
    this.wire = 0;
    this.state = { at: 'head' };
    return r;
  }
}
