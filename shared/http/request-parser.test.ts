import { describe, expect, it } from 'vitest';
import { header, HttpRequestParser, keepsAlive } from './request-parser.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();
const b = (s: string) => enc.encode(s);
const small = { headerBytes: 256, headerCount: 4, bodyBytes: 32 };

describe('HttpRequestParser', () => {
  it('reads a request line, headers and a Content-Length body that arrive one byte at a time', () => {
    const p = new HttpRequestParser();
    const raw = b('POST /chapter17/user.html HTTP/1.1\r\nHost: localhost:8088\r\nContent-Length: 38\r\n\r\nname=tom&password=1234&realName=tomson');
    const got = [];
    for (let i = 0; i < raw.length; i++) got.push(...p.push(raw.subarray(i, i + 1)));
    expect(got).toHaveLength(1);
    const r = got[0]!;
    expect([r.method, r.target, r.version]).toEqual(['POST', '/chapter17/user.html', 'HTTP/1.1']);
    expect(header(r.headers, 'host')).toBe('localhost:8088');
    expect(dec.decode(r.body)).toBe('name=tom&password=1234&realName=tomson');
    expect(r.wireBytes).toBe(raw.length);
    expect(p.midRequest).toBe(false);
  });

  it('cuts pipelined requests out of one chunk', () => {
    const p = new HttpRequestParser();
    const got = p.push(b('GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /c'));
    expect(got.map((r) => r.target)).toEqual(['/a', '/b']);
    expect(keepsAlive(got[0]!)).toBe(true);
    expect(keepsAlive(got[1]!)).toBe(false);
    expect(p.midRequest).toBe(true);
    expect(p.push(b(' HTTP/1.0\r\n\r\n')).map((r) => [r.target, keepsAlive(r)])).toEqual([['/c', false]]);
  });

  it('decodes a chunked request body with extensions and trailers', () => {
    const p = new HttpRequestParser();
    const got = p.push(b('POST /up HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;x=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 1\r\n\r\n'));
    expect(got).toHaveLength(1);
    expect(got[0]!.chunked).toBe(true);
    expect(dec.decode(got[0]!.body)).toBe('hello world');
  });

  it('accepts bare LF line endings, as typed into nc', () => {
    expect(new HttpRequestParser().push(b('GET / HTTP/1.1\nHost: x\n\n'))[0]?.target).toBe('/');
  });

  const refused: [string, string, string, number][] = [
    ['a chat line', 'hello there\r\n', 'not-http', 400],
    ['binary (a TLS hello) before any line ends', '\x16\x03\x01\x02\x00', 'not-http', 400],
    ['HTTP/2.0', 'GET / HTTP/2.0\r\n\r\n', 'version', 505],
    ['a folded header', 'GET / HTTP/1.1\r\nA: b\r\n  c\r\n\r\n', 'bad-header', 400],
    ['a space before the colon', 'GET / HTTP/1.1\r\nHost : x\r\n\r\n', 'bad-header', 400],
    ['a negative length', 'POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n', 'bad-length', 400],
    ['two lengths that disagree', 'POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n', 'bad-length', 400],
    ['both framings (smuggling)', 'POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n', 'bad-length', 400],
    ['gzip transfer coding', 'POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n', 'unsupported-coding', 501],
    ['a chunk size that is not hex', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 'bad-chunk', 400],
    ['a chunk longer than its size', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n', 'bad-chunk', 400],
    ['a body over the limit', 'POST / HTTP/1.1\r\nContent-Length: 33\r\n\r\n', 'body-too-large', 413],
    ['a chunked body over the limit', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n20\r\n' + 'a'.repeat(32) + '\r\n1\r\n', 'body-too-large', 413],
    ['a head over the limit without its end', 'GET /' + 'a'.repeat(300), 'header-too-large', 431],
    ['too many headers', 'GET / HTTP/1.1\r\n' + 'A: 1\r\n'.repeat(5) + '\r\n', 'too-many-headers', 431],
  ];
  for (const [what, raw, variant, status] of refused) {
    it(`refuses ${what} with ${status} (${variant}) and parses nothing after it`, () => {
      const p = new HttpRequestParser(small);
      expect(p.push(b(raw))).toEqual([]);
      expect(p.problem).toMatchObject({ variant, status });
      expect(p.push(b('GET / HTTP/1.1\r\n\r\n'))).toEqual([]);
    });
  }

  it('waits for the rest of a method rather than refusing a request cut in its first word', () => {
    const p = new HttpRequestParser();
    expect(p.push(b('GE'))).toEqual([]);
    expect(p.problem).toBeNull();
    expect(p.push(b('T / HTTP/1.1\r\n\r\n'))).toHaveLength(1);
  });
});
