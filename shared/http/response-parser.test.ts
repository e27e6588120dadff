import { describe, expect, it } from 'vitest';
import { WirelabError } from '../contract/errors.ts';
import { buildHttpRequest } from './request.ts';
import { HttpResponseParser } from './response-parser.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Feeds `text` in pieces of `size` bytes (1 = the worst split), then the close when `close`. */
function parse(text: string | Uint8Array, size: number, options: { method?: string; close?: boolean } = {}) {
  const bytes = typeof text === 'string' ? enc.encode(text) : text;
  const p = new HttpResponseParser(options.method ?? 'GET');
  let done = false;
  for (let i = 0; i < bytes.length && !done; i += size) done = p.push(bytes.subarray(i, i + size));
  return done ? p.result! : options.close ? p.end() : null;
}

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof WirelabError) return e.code;
    throw e;
  }
  return 'no error';
}

describe('HttpResponseParser', () => {
  const withLength = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nX-A: 1\r\nx-a: 2\r\n\r\nhello';
  it.each([1, 2, 7, 1000])('reads a Content-Length response fed %i bytes at a time', (size) => {
    const r = parse(withLength, size)!;
    expect(r).toMatchObject({
      version: '1.1',
      status: 200,
      reason: 'OK',
      framing: 'length',
      headers: { 'content-type': 'text/plain', 'content-length': '5', 'x-a': '1, 2' },
    });
    expect(r.rawHeaders[3]).toEqual(['x-a', '2']);
    expect(dec.decode(r.body)).toBe('hello');
  });

  it.each([1, 3, 1000])('decodes chunked transfer (extensions and trailers too), fed %i bytes at a time', (size) => {
    const r = parse('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7;x=y\r\nhello, \r\nA\r\n0123456789\r\n0\r\nExpires: never\r\n\r\n', size)!;
    expect(r.framing).toBe('chunked');
    expect(dec.decode(r.body)).toBe('hello, 0123456789');
  });

  it('reads a close-delimited body to the close, and knows a HEAD, 204 and 304 have none', () => {
    expect(parse('HTTP/1.0 200 OK\r\n\r\nall of it', 4)).toBeNull();
    expect(dec.decode(parse('HTTP/1.0 200 OK\r\n\r\nall of it', 4, { close: true })!.body)).toBe('all of it');
    expect(parse('HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n', 10, { method: 'HEAD' })!.body.length).toBe(0);
    expect(parse('HTTP/1.1 204 No Content\r\n\r\n', 10)!.framing).toBe('none');
    expect(parse('HTTP/1.1 304 Not Modified\r\nContent-Length: 4\r\n\r\n', 10)!.body.length).toBe(0);
  });

  it('skips a 100 Continue and reads the response after it', () => {
    const r = parse('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok', 5)!;
    expect(r.status).toBe(201);
    expect(dec.decode(r.body)).toBe('ok');
  });

  it('keeps binary bodies byte for byte', () => {
    const head = enc.encode('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n');
    const r = parse(Uint8Array.from([...head, 0, 0xff, 13, 10]), 3)!;
    expect([...r.body]).toEqual([0, 0xff, 13, 10]);
  });

  it.each([
    ['SSH-2.0-OpenSSH_9.2\r\n', 'HTTP_NOT_HTTP'],
    ['HTTP/1.1 OK\r\n\r\n', 'HTTP_NOT_HTTP'],
    ['HTTP/1.1 200 OK\r\nno colon here\r\n\r\n', 'HTTP_BAD_HEADER'],
    ['HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', 'HTTP_BAD_HEADER'],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 'HTTP_BAD_CHUNK'],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n', 'HTTP_BAD_CHUNK'],
    ['HTTP/1.1 200 OK\r\nContent-Length: 999999999999\r\n\r\n', 'HTTP_TOO_LARGE'],
    ['a 70,000-byte header line', 'HTTP_TOO_LARGE'],
  ])('names what is wrong: %j → %s', (text, expected) => {
    const bytes = text === 'a 70,000-byte header line' ? `HTTP/1.1 200 OK\r\nX: ${'a'.repeat(70_000)}` : text;
    expect(code(() => parse(bytes, 16))).toBe(expected);
  });

  it('a response cut short by the close is HTTP_TRUNCATED, not a short body passed off as whole', () => {
    expect(code(() => parse('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf', 4, { close: true }))).toBe('HTTP_TRUNCATED');
    expect(code(() => parse('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab', 4, { close: true }))).toBe('HTTP_TRUNCATED');
    expect(code(() => new HttpResponseParser().end())).toBe('HTTP_TRUNCATED');
  });

  it('says "not HTTP" from the first bytes, before a whole line has arrived', () => {
    expect(code(() => new HttpResponseParser().push(enc.encode('SSH')))).toBe('HTTP_NOT_HTTP');
  });
});

describe('buildHttpRequest', () => {
  it('writes the request line, Host, the headers, Content-Length and Connection: close, exactly', () => {
    const { bytes, target } = buildHttpRequest({
      method: 'POST',
      url: 'http://127.0.0.1:8000/a?b=1',
      headers: ['Accept: text/plain', ''],
      body: enc.encode('hi'),
    });
    expect(target).toEqual({ host: '127.0.0.1', port: 8000, path: '/a?b=1', authority: '127.0.0.1:8000' });
    expect(dec.decode(bytes)).toBe('POST /a?b=1 HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nAccept: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi');
  });

  it('keeps a Host or Connection the user wrote, and leaves the port out of Host for 80', () => {
    const { bytes } = buildHttpRequest({
      method: 'GET',
      url: 'http://localhost/',
      headers: ['Host: example.test', 'Connection: keep-alive'],
      body: new Uint8Array(0),
    });
    expect(dec.decode(bytes)).toBe('GET / HTTP/1.1\r\nHost: example.test\r\nConnection: keep-alive\r\n\r\n');
    expect(dec.decode(buildHttpRequest({ method: 'GET', url: 'http://[::1]/x', headers: [], body: new Uint8Array(0) }).bytes)).toMatch(
      /^GET \/x HTTP\/1\.1\r\nHost: \[::1\]\r\n/,
    );
  });

  it.each([
    [{ url: 'https://127.0.0.1/' }, 'HTTP_URL', 'url', /https is not offered/],
    [{ url: 'ftp://127.0.0.1/' }, 'HTTP_URL', 'url', /not an http:\/\/ URL/],
    [{ url: 'http://' }, 'HTTP_URL', 'url', /not a valid URL/],
    [{ method: 'GE T' }, 'HTTP_METHOD', 'method', /not a method/],
    [{ headers: ['Accept text'] }, 'HTTP_HEADER', 'headers[0]', /is not "Name: value"/],
    [{ headers: ['X-A: 1\r\nX-Injected: 2'] }, 'HTTP_HEADER', 'headers[0]', /line break/],
  ])('refuses %j naming the field', (over, expectedCode, field, message) => {
    try {
      buildHttpRequest({ method: 'GET', url: 'http://127.0.0.1/', headers: [], body: new Uint8Array(0), ...over });
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: expectedCode, field, message: expect.stringMatching(message) });
    }
  });
});
