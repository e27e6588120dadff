import { describe, expect, it } from 'vitest';
import { contentTypeOf } from './mime.ts';
import { listingPage, response, responseHead, statusPage } from './response.ts';
import { isPlainName, resolveStaticPath } from './static-path.ts';

describe('resolveStaticPath', () => {
  it('maps a path to its segments, dropping the query and "."', () => {
    expect(resolveStaticPath('/a/./b%20c.html?x=1#top')).toEqual({ ok: true, segments: ['a', 'b c.html'], dir: false, path: '/a/b c.html' });
    expect(resolveStaticPath('/')).toMatchObject({ ok: true, segments: [], dir: true });
    expect(resolveStaticPath('http://localhost:8080/docs/')).toMatchObject({ ok: true, segments: ['docs'], dir: true });
    expect(resolveStaticPath('/%E4%B8%AD.txt')).toMatchObject({ ok: true, segments: ['中.txt'] });
  });

  const climbs = [
    '/../etc/passwd',
    '/a/../../etc/passwd',
    '/%2e%2e/etc/passwd',
    '/%2E%2E%2Fetc%2Fpasswd',
    '/a/%2e%2e%2f%2e%2e%2fetc/passwd',
    '/%252e%252e/etc/passwd',
    '/..%5c..%5cwindows/win.ini',
    '/a\\..\\b',
    '/a%00.html',
    '//etc/passwd',
    '/C:/Windows/win.ini',
    '/c%3a%5cwindows',
  ];
  for (const t of climbs) {
    it(`refuses ${t} with 403`, () => expect(resolveStaticPath(t)).toMatchObject({ ok: false, status: 403 }));
  }

  it('answers 400 to a broken escape or a target that is not a path', () => {
    expect(resolveStaticPath('/%zz')).toMatchObject({ ok: false, status: 400 });
    expect(resolveStaticPath('/%C0%AE')).toMatchObject({ ok: false, status: 400 }); // overlong UTF-8 for "."
    expect(resolveStaticPath('*')).toMatchObject({ ok: false, status: 400 });
  });
});

describe('responses', () => {
  const text = (u: Uint8Array) => new TextDecoder().decode(u);
  it('writes the status line and headers with CRLF and a blank line', () => {
    expect(text(responseHead({ status: 404, headers: [['Content-Length', '0']] }))).toBe('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
  });
  it('always sends Content-Length, Connection: close when closing, no body for HEAD', () => {
    const r = response({ status: 200, type: 'text/plain; charset=utf-8', body: new TextEncoder().encode('hi'), close: true, head: true });
    expect(text(r.head)).toBe('HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 2\r\nConnection: close\r\n\r\n');
    expect(r.body.length).toBe(0);
  });
  it('refuses a header value that would split the response', () => {
    expect(() => responseHead({ status: 200, headers: [['X', 'a\r\nSet-Cookie: b']] })).toThrow(/CR and LF/);
  });
  it('escapes what it shows in pages', () => {
    expect(text(statusPage(404, '<script>'))).toContain('&lt;script&gt;');
    expect(text(listingPage('/', [{ name: 'a&b', dir: true }]))).toContain('<a href="a%26b/">a&amp;b/</a>');
  });
  it('types files by extension, unknown ones as bytes', () => {
    expect(contentTypeOf('index.HTML')).toBe('text/html; charset=utf-8');
    expect(contentTypeOf('a.png')).toBe('image/png');
    expect(contentTypeOf('Makefile')).toBe('application/octet-stream');
    expect(contentTypeOf('.bashrc')).toBe('application/octet-stream');
  });
});

describe('isPlainName', () => {
  it("takes one plain name, refuses the FTP client's ways out of the folder", () => {
    expect(isPlainName('a.bin')).toBe(true);
    expect(isPlainName('报告.txt')).toBe(true);
    for (const bad of ['', '.', '..', '../etc/passwd', '/etc/passwd', 'a/b', 'a\\b', 'C:x', 'a\0b', 'x'.repeat(256), 7, null])
      expect(isPlainName(bad)).toBe(false);
  });
});
