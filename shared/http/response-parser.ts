import { WirelabError } from '../contract/errors.ts';

/**
 * An HTTP/1.x response read incrementally from a TCP byte stream (RFC 9112): the status line,
 * the header fields, then the body by the first rule that applies (RFC 9112 §6.3) — none for a
 * HEAD request, 1xx, 204 and 304; chunked transfer coding decoded (§7.1); Content-Length; or
 * everything until the server closes (close-delimited). Pure and fed chunk by chunk, so it can
 * be tested on any split of the bytes and used by the CLI, the GUI's composer and the tests.
 */

/** A header section longer than this is not a response we want to hold (servers cap theirs at 8–64 KiB too). */
export const maxHeadBytes = 64 * 1024;

export interface HttpResponse {
  version: string;
  status: number;
  reason: string;
  /** Field names in lower case (they are case-insensitive, RFC 9110 §5.1); repeated fields joined with ", " (§5.3). */
  headers: Record<string, string>;
  /** The fields exactly as received, in order. */
  rawHeaders: [string, string][];
  body: Uint8Array;
  /** How the body's end was found. */
  framing: 'none' | 'length' | 'chunked' | 'close';
}

function fail(code: string, message: string, params: Record<string, string | number> = {}): WirelabError {
  return new WirelabError(code, message, undefined, params);
}

const crlf = (b: Uint8Array, from: number): number => {
  for (let i = from; i < b.length - 1; i++) if (b[i] === 13 && b[i + 1] === 10) return i;
  return -1;
};

const latin1 = (b: Uint8Array): string => {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return s;
};

/** What a peer sent instead of a status line, shown safely (first 40 characters, control characters escaped). */
function shown(b: Uint8Array): string {
  // eslint-disable-next-line no-control-regex -- escaping control characters is the point
  return latin1(b.subarray(0, 40)).replace(/[\u0000-\u001f\u007f-\u00ff]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export class HttpResponseParser {
  private buf: Uint8Array = new Uint8Array(0);
  private state: 'status' | 'headers' | 'body' | 'chunk-size' | 'chunk-data' | 'chunk-crlf' | 'trailers' | 'done' = 'status';
  private res: Omit<HttpResponse, 'body'> | null = null;
  private parts: Uint8Array[] = [];
  private bodyBytes = 0;
  private remaining = 0;
  private headBytes = 0;
  /** The response, once complete. */
  result: HttpResponse | null = null;

  constructor(
    /** A HEAD request's response has no body whatever its headers say (RFC 9110 §9.3.2). */
    private readonly method = 'GET',
    private readonly maxBody = 16 * 1024 * 1024,
  ) {}

  get done(): boolean {
    return this.state === 'done';
  }

  /** Feeds received bytes; returns true once the response is complete. Throws a WirelabError (HTTP_*) on a response that is not HTTP. */
  push(chunk: Uint8Array): boolean {
    if (this.state === 'done') return true;
    const joined = new Uint8Array(this.buf.length + chunk.length);
    joined.set(this.buf);
    joined.set(chunk, this.buf.length);
    this.buf = joined;
    let at = 0;
    for (;;) {
      const used = this.step(at);
      if (used < 0) break;
      at = used;
      if (this.done) break;
    }
    this.buf = this.buf.slice(at);
    return this.done;
  }

  /** The server closed: a close-delimited body ends here; anything else unfinished is a truncated response. */
  end(): HttpResponse {
    if (this.state === 'body' && this.res?.framing === 'close') {
      this.finish();
      return this.result!;
    }
    if (this.state === 'done') return this.result!;
    if (this.state === 'status' && this.buf.length === 0 && !this.res)
      throw fail('HTTP_TRUNCATED', 'the server closed the connection without answering', { got: 0 });
    throw fail(
      'HTTP_TRUNCATED',
      `the server closed the connection in the middle of the response (${this.state === 'status' || this.state === 'headers' ? 'in the header' : 'in the body'})`,
      {
        got: this.bodyBytes,
      },
    );
  }

  private line(at: number): string | null {
    const end = crlf(this.buf, at);
    if (end < 0) {
      if (this.headBytes + this.buf.length - at > maxHeadBytes)
        throw fail('HTTP_TOO_LARGE', `the response's header is over ${maxHeadBytes} bytes`, { max: maxHeadBytes });
      return null;
    }
    this.headBytes += end + 2 - at;
    if (this.headBytes > maxHeadBytes) throw fail('HTTP_TOO_LARGE', `the response's header is over ${maxHeadBytes} bytes`, { max: maxHeadBytes });
    return latin1(this.buf.subarray(at, end));
  }

  /** Takes what it can from `at`; returns the new offset, or -1 when more bytes are needed. */
  private step(at: number): number {
    switch (this.state) {
      case 'status': {
        // before the whole line is here, a first byte that cannot start "HTTP/" already tells
        const head = this.buf.subarray(at, at + 5);
        if (head.length && latin1(head) !== 'HTTP/'.slice(0, head.length))
          throw fail('HTTP_NOT_HTTP', `the server's answer is not HTTP: it starts "${shown(this.buf.subarray(at))}"`, { start: shown(this.buf.subarray(at)) });
        const line = this.line(at);
        if (line === null) return -1;
        const m = /^HTTP\/(\d\.\d) (\d{3})(?: (.*))?$/.exec(line);
        if (!m)
          throw fail('HTTP_NOT_HTTP', `the server's answer is not HTTP: its first line is "${shown(this.buf.subarray(at))}"`, {
            start: shown(this.buf.subarray(at)),
          });
        this.res = { version: m[1]!, status: Number(m[2]), reason: m[3] ?? '', headers: {}, rawHeaders: [], framing: 'none' };
        this.state = 'headers';
        return at + line.length + 2;
      }
      case 'headers': {
        const line = this.line(at);
        if (line === null) return -1;
        const next = at + line.length + 2;
        if (line === '') return this.startBody(next);
        const colon = line.indexOf(':');
        if (colon <= 0 || /[\s]/.test(line.slice(0, colon)))
          throw fail('HTTP_BAD_HEADER', `a header line is not "Name: value": "${line.slice(0, 60)}"`, { line: line.slice(0, 60) });
        const name = line.slice(0, colon);
        const value = line.slice(colon + 1).trim();
        const res = this.res!;
        res.rawHeaders.push([name, value]);
        const key = name.toLowerCase();
        res.headers[key] = key in res.headers ? `${res.headers[key]}, ${value}` : value;
        return next;
      }
      case 'body': {
        const take = this.res!.framing === 'close' ? this.buf.length - at : Math.min(this.remaining, this.buf.length - at);
        if (take === 0) return -1;
        this.addBody(this.buf.subarray(at, at + take));
        if (this.res!.framing === 'length') {
          this.remaining -= take;
          if (this.remaining === 0) this.finish();
        }
        return at + take;
      }
      case 'chunk-size': {
        const line = this.line(at);
        if (line === null) return -1;
        // chunk extensions (";name=value") carry nothing we show
        const hex = line.split(';')[0]!.trim();
        if (!/^[0-9a-fA-F]{1,8}$/.test(hex)) throw fail('HTTP_BAD_CHUNK', `a chunk size is not hex: "${line.slice(0, 40)}"`, { line: line.slice(0, 40) });
        this.remaining = parseInt(hex, 16);
        this.state = this.remaining === 0 ? 'trailers' : 'chunk-data';
        return at + line.length + 2;
      }
      case 'chunk-data': {
        const take = Math.min(this.remaining, this.buf.length - at);
        if (take === 0) return -1;
        this.addBody(this.buf.subarray(at, at + take));
        this.remaining -= take;
        if (this.remaining === 0) this.state = 'chunk-crlf';
        return at + take;
      }
      case 'chunk-crlf': {
        if (this.buf.length - at < 2) return -1;
        if (this.buf[at] !== 13 || this.buf[at + 1] !== 10)
          throw fail('HTTP_BAD_CHUNK', 'a chunk is longer than its size says (no CRLF after it)', { line: '' });
        this.state = 'chunk-size';
        return at + 2;
      }
      case 'trailers': {
        const line = this.line(at);
        if (line === null) return -1;
        if (line === '') this.finish();
        return at + line.length + 2;
      }
      case 'done':
        return -1;
    }
  }

  private startBody(at: number): number {
    const res = this.res!;
    // 1xx is interim (100 Continue): the real response follows (RFC 9110 §15.2)
    if (res.status >= 100 && res.status < 200) {
      this.res = null;
      this.state = 'status';
      return at;
    }
    const te = res.headers['transfer-encoding']?.toLowerCase();
    const cl = res.headers['content-length'];
    if (this.method === 'HEAD' || res.status === 204 || res.status === 304) {
      this.finish();
    } else if (
      te &&
      te
        .split(',')
        .map((s) => s.trim())
        .at(-1) === 'chunked'
    ) {
      res.framing = 'chunked';
      this.state = 'chunk-size';
    } else if (cl !== undefined) {
      if (!/^\d{1,15}$/.test(cl.trim()))
        throw fail('HTTP_BAD_HEADER', `Content-Length is not a number: "${cl.slice(0, 40)}"`, { line: `Content-Length: ${cl.slice(0, 40)}` });
      this.remaining = Number(cl.trim());
      if (this.remaining > this.maxBody)
        throw fail('HTTP_TOO_LARGE', `the body announces ${this.remaining} bytes, over the ${this.maxBody}-byte cap`, { max: this.maxBody });
      res.framing = 'length';
      this.state = 'body';
      if (this.remaining === 0) this.finish();
    } else {
      res.framing = 'close';
      this.state = 'body';
    }
    return at;
  }

  private addBody(bytes: Uint8Array): void {
    this.bodyBytes += bytes.length;
    if (this.bodyBytes > this.maxBody) throw fail('HTTP_TOO_LARGE', `the body is over the ${this.maxBody}-byte cap`, { max: this.maxBody });
    this.parts.push(bytes.slice());
  }

  private finish(): void {
    const body = new Uint8Array(this.bodyBytes);
    let o = 0;
    for (const p of this.parts) {
      body.set(p, o);
      o += p.length;
    }
    this.parts = [];
    this.result = { ...this.res!, body };
    this.state = 'done';
  }
}
