import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runWirelab } from '../../test/support/spawn-cli.ts';
import { startPythonPeer, stopPeer } from '../../test/support/python-peer.ts';
import { tempDir } from '../../test/support/temp-dir.ts';

interface HttpDoc {
  status: number;
  reason: string;
  headers: Record<string, string>;
  body: string;
  bytesSent: number;
  bytesReceived: number;
  request: string;
}

const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) await stopPeer(c);
});

/** Python's own http.server on 127.0.0.1:0 serving `dir` (a real child, as the notes' tiny web server chapter uses). */
async function pythonHttpServer(dir: string): Promise<number> {
  const child = spawn('python3', ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`http.server said nothing: ${out}`)), 15_000);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /port (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
}

async function http(args: string[]): Promise<{ code: number | null; doc: HttpDoc | null; stderr: string }> {
  const r = await runWirelab(['http', ...args, '--json'], 30_000);
  return { code: r.code, doc: r.stdout ? (JSON.parse(r.stdout) as HttpDoc) : null, stderr: r.stderr };
}

describe('wirelab http (the HTTP request composer on raw TCP)', () => {
  it("GETs a file from Python's http.server and shows the exact request bytes", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'index.html'), '<h1>你好</h1>\n');
    const port = await pythonHttpServer(dir);
    const { code, doc } = await http(['GET', `http://127.0.0.1:${port}/index.html`, '--header', 'Accept: text/html', '--header', 'X-Course: 003']);
    expect(code).toBe(0);
    expect(doc).toMatchObject({ status: 200, reason: 'OK', body: '<h1>你好</h1>\n', headers: { 'content-type': 'text/html', 'content-length': '16' } });
    expect(doc!.request).toBe(`GET /index.html HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/html\r\nX-Course: 003\r\nConnection: close\r\n\r\n`);
    expect(doc!.bytesSent).toBe(Buffer.byteLength(doc!.request));
    expect(doc!.bytesReceived).toBeGreaterThan(16);
  });

  it("a missing file is the server's 404, parsed like any response (exit 0: the exchange worked)", async () => {
    const port = await pythonHttpServer(await tempDir());
    const { code, doc } = await http(['GET', `http://127.0.0.1:${port}/nope.txt`]);
    expect(code).toBe(0);
    expect(doc).toMatchObject({ status: 404, reason: 'File not found' });
  });

  it('POSTs --data-file with its Content-Length (the server answers 501 to POST, and we read that answer)', async () => {
    const dir = await tempDir();
    const port = await pythonHttpServer(dir);
    await writeFile(join(dir, 'body.txt'), 'a=1&b=2');
    const { doc } = await http(['POST', `http://127.0.0.1:${port}/`, '--data-file', join(dir, 'body.txt')]);
    expect(doc!.request).toMatch(/\r\nContent-Length: 7\r\nConnection: close\r\n\r\na=1&b=2$/);
    expect(doc!.status).toBe(501);
  });

  it('decodes a chunked response from a Python peer', async () => {
    const p = await startPythonPeer('course_peers.py', ['chunked']);
    children.push(p.child);
    const { code, doc } = await http(['GET', `http://127.0.0.1:${p.port}/`]);
    expect(code).toBe(0);
    expect(doc).toMatchObject({ status: 200, body: 'hello, chunked world', headers: { 'transfer-encoding': 'chunked' } });
  });

  it('names a peer that is not HTTP (exit 1, HTTP_NOT_HTTP with what it said)', async () => {
    const p = await startPythonPeer('course_peers.py', ['nothttp']);
    children.push(p.child);
    const { code, doc, stderr } = await http(['GET', `http://127.0.0.1:${p.port}/`]);
    expect(code).toBe(1);
    expect(doc).toBeNull();
    expect(stderr).toMatch(/the server's answer is not HTTP: .*SSH-2\.0-OpenSSH/);
  });

  it.each([
    [['GET', 'https://127.0.0.1/'], /url: https is not offered/],
    [['GET', '127.0.0.1:8000/'], /url: "127\.0\.0\.1:8000\/" is not an http:\/\/ URL/],
    [['G T', 'http://127.0.0.1/'], /method: "G T" is not a method/],
    [['GET', 'http://127.0.0.1/', '--header', 'NoColon'], /headers\[0\]: "NoColon" is not "Name: value"/],
    [['GET', 'http://127.0.0.1/', '--data', 'a', '--data-file', 'b'], /give --data or --data-file, not both/],
  ])('%j: exit 2 naming the field', async (args, message) => {
    const { code, stderr } = await http(args as string[]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message as RegExp);
  });
});
