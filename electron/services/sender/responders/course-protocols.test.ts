import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { projectRoot, runWirelab, startNode, stop, wirelabBin } from '../../../../test/support/spawn-cli.ts';
import { tempDir } from '../../../../test/support/temp-dir.ts';

/**
 * The course's server protocols against real peers: `wirelab listen` as a child process, the
 * notes' own kind of Python programs (test/peers/ftp_*, auth_*, chat_*, http_*), curl.
 */

const peers = join(projectRoot, 'test/peers');
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Listener {
  port: number;
  events: () => Record<string, unknown>[];
  waitFor: (pred: (e: Record<string, unknown>) => boolean, what: string, timeoutMs?: number) => Promise<Record<string, unknown>>;
  child: ChildProcess;
}

async function listen(args: string[]): Promise<Listener> {
  const { child, line, output } = await startNode([wirelabBin, 'listen', 'tcp', '0', '--json', ...args], /"listening"/);
  cleanups.push(() => stop(child));
  const { port } = JSON.parse(line) as { port: number };
  const events = () =>
    output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const waitFor = async (pred: (e: Record<string, unknown>) => boolean, what: string, timeoutMs = 15_000) => {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const e = events().find(pred);
      if (e) return e;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no ${what} in:\n${output()}`);
  };
  return { port, events, waitFor, child };
}

const notice = (code: string) => (e: Record<string, unknown>) => e.event === 'notice' && e.code === code;

/** Runs a program to its end (bounded) and returns its stdout. */
function run(cmd: string, args: string[], timeoutMs = 20_000): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => {
      c.kill('SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')} timed out\n${out}\n${err}`));
    }, timeoutMs);
    c.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

const jsonLines = (out: string) =>
  out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('serve-dir: the FTP homework, advanced version', () => {
  it("downloads a file to the notes' client, refuses a missing file and ../ by name, and keeps serving the same connection", async () => {
    const dir = await tempDir('wirelab-ftp-');
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const served = join(dir, 'remote');
    const local = join(dir, 'local');
    await mkdir(served);
    await mkdir(local);
    const file = randomBytes(100_024);
    await writeFile(join(served, 'a.bin'), file);
    await writeFile(join(dir, 'secret.txt'), 'not for peers');
    const l = await listen(['--serve-dir', served]);
    const r = await run('python3', [
      join(peers, 'ftp_client.py'),
      '127.0.0.1',
      String(l.port),
      'download',
      'a.bin',
      local,
      'nope.bin',
      local,
      '../secret.txt',
      local,
      'a.bin',
      local,
    ]);
    expect(r.err).toBe('');
    const [first, missing, climb, again] = jsonLines(r.out);
    expect(first).toMatchObject({ header: { filesize: 100_024 }, bytes: 100_024, sha256: sha256(file) });
    expect(missing).toMatchObject({ header: { error: 'FTP_NOT_FOUND', filesize: 0 } });
    expect(climb).toMatchObject({ header: { error: 'FTP_BAD_NAME', filesize: 0 } });
    expect(again).toMatchObject({ bytes: 100_024, sha256: sha256(file) });
    expect(sha256(await readFile(join(local, 'a.bin')))).toBe(sha256(file));
    await l.waitFor(notice('FTP_NOT_FOUND'), 'FTP_NOT_FOUND notice');
    expect(await l.waitFor(notice('FTP_BAD_NAME'), 'FTP_BAD_NAME notice')).toMatchObject({ params: { name: '../secret.txt' } });
  });

  it('saves an upload under its name in the folder', async () => {
    const dir = await tempDir('wirelab-ftp-');
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const served = join(dir, 'remote');
    await mkdir(served);
    const file = randomBytes(300_000);
    await writeFile(join(dir, 'up.bin'), file);
    const l = await listen(['--serve-dir', served]);
    const r = await run('python3', [join(peers, 'ftp_client.py'), '127.0.0.1', String(l.port), 'upload', join(dir, 'up.bin')]);
    expect(r.err).toBe('');
    await l.waitFor((e) => e.event === 'close', 'the client closing');
    const until = Date.now() + 10_000;
    let saved: Buffer | null = null;
    while (Date.now() < until && saved?.length !== file.length) {
      saved = await readFile(join(served, 'up.bin')).catch(() => null);
      await new Promise((res) => setTimeout(res, 50));
    }
    expect(saved && sha256(saved)).toBe(sha256(file));
  });
});

describe('challenge: client authentication', () => {
  it('lets the right md5 key through to the echo and refuses the notes own mismatch (alexbigs against alexbigsb), the server going on', async () => {
    const l = await listen(['--challenge', 'md5:alexbigsb', '--echo']);
    const right = jsonLines((await run('python3', [join(peers, 'auth_client.py'), '127.0.0.1', String(l.port), 'alexbigsb', 'md5', 'hello'])).out)[0];
    expect(right).toMatchObject({ received: 'hello' });
    await l.waitFor(notice('CHALLENGE_PASSED'), 'CHALLENGE_PASSED');
    const wrong = jsonLines((await run('python3', [join(peers, 'auth_client.py'), '127.0.0.1', String(l.port), 'alexbigs', 'md5', 'hello'])).out)[0];
    expect(wrong).toEqual({ received: 'authentication failed\n', closed: true });
    expect(await l.waitFor(notice('CHALLENGE_FAILED'), 'CHALLENGE_FAILED')).toMatchObject({ params: { algo: 'md5' } });
    // and the session still runs: a third client with the right key is answered
    expect(jsonLines((await run('python3', [join(peers, 'auth_client.py'), '127.0.0.1', String(l.port), 'alexbigsb', 'md5', 'again'])).out)[0]).toMatchObject({
      received: 'again',
    });
  });

  it('checks HMAC-SHA256 answers, and wirelab send --answer answers before sending its data', async () => {
    const l = await listen(['--challenge', 'hmac-sha256:k3y', '--echo']);
    expect(jsonLines((await run('python3', [join(peers, 'auth_client.py'), '127.0.0.1', String(l.port), 'k3y', 'hmac', 'hi'])).out)[0]).toMatchObject({
      received: 'hi',
    });
    const sent = await runWirelab(['send', 'tcp', '127.0.0.1', String(l.port), 'ping', '--answer', 'hmac-sha256:k3y', '--wait', '1500', '--json']);
    const doc = JSON.parse(sent.stdout) as { chunks: { text: string }[]; error: unknown };
    expect(doc.error).toBeNull();
    expect(doc.chunks.map((c) => c.text).join('')).toContain('ping');
    const refused = await runWirelab(['send', 'tcp', '127.0.0.1', String(l.port), 'ping', '--answer', 'hmac-sha256:other', '--wait', '1500', '--json']);
    expect((JSON.parse(refused.stdout) as { chunks: { text: string }[] }).chunks.map((c) => c.text).join('')).toContain('authentication failed');
  });
});

describe('challenge before a framed protocol', () => {
  it('takes the raw answer off the stream before the framing: header-json messages after it decode on both ends', async () => {
    const l = await listen(['--challenge', 'md5:alexbigsb', '--echo', '--frame', 'header-json']);
    const sent = await runWirelab([
      'send',
      'tcp',
      '127.0.0.1',
      String(l.port),
      '你好',
      '--frame',
      'header-json',
      '--answer',
      'md5:alexbigsb',
      '--wait',
      '1500',
      '--json',
    ]);
    const doc = JSON.parse(sent.stdout) as { messages: { text: string; header: unknown }[]; error: unknown };
    expect(doc.error).toBeNull();
    // the 32 challenge bytes were not taken for a header; the echo came back framed
    expect(doc.messages).toEqual([expect.objectContaining({ text: '你好', header: { data_size: 6 } })]);
    expect(await l.waitFor((e) => e.event === 'message', 'the decoded message')).toMatchObject({ text: '你好', header: { data_size: 6 } });
  });
});

/** A chat client as a child process, its received lines collected. */
function chatter(port: number, name: string) {
  const c = spawn('python3', [join(peers, 'chat_client.py'), '127.0.0.1', String(port), name], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  c.stdout.on('data', (d: Buffer) => (out += d.toString()));
  cleanups.push(async () => {
    if (c.exitCode === null) c.kill('SIGKILL');
  });
  const heard = async (line: string) => {
    const until = Date.now() + 15_000;
    while (Date.now() < until) {
      if (out.split('\n').includes(`< ${line}`)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${name} did not hear ${JSON.stringify(line)}:\n${out}`);
  };
  return { say: (text: string) => c.stdin.write(text + '\n'), heard, lines: () => out, quit: () => c.stdin.write('quit\n') };
}

describe('relay: the chat room', () => {
  it('announces joins and leaves to the others and relays each message as "name: text" to everyone else', async () => {
    const l = await listen(['--relay', '--frame', 'line']);
    const alice = chatter(l.port, 'alice');
    await alice.heard('* welcome, alice; nobody else is here yet');
    const bob = chatter(l.port, 'bob');
    await alice.heard('* bob joined the room');
    const carol = chatter(l.port, 'carol');
    await carol.heard('* welcome, carol; here: alice, bob');
    await bob.heard('* carol joined the room');
    alice.say('hi all');
    await bob.heard('alice: hi all');
    await carol.heard('alice: hi all');
    carol.quit();
    await alice.heard('* carol left the room');
    await bob.heard('* carol left the room');
    expect(alice.lines()).not.toContain('< alice: hi all');
    const bobTaken = chatter(l.port, 'bob');
    await bobTaken.heard('* the name bob is taken; send another name');
    await l.waitFor(notice('RELAY_LEFT'), 'RELAY_LEFT');
    expect(
      l
        .events()
        .filter(notice('RELAY_JOINED'))
        .map((e) => (e.params as { name: string }).name),
    ).toEqual(['alice', 'bob', 'carol']);
  });
});

describe('http-dir: a static HTTP/1.1 server', () => {
  async function site() {
    const dir = await tempDir('wirelab-http-');
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const root = join(dir, 'www');
    await mkdir(join(root, 'docs'), { recursive: true });
    await writeFile(join(root, 'index.html'), '<h1>hello</h1>\n');
    await writeFile(join(root, 'docs', 'a.txt'), 'alpha\n');
    await writeFile(join(dir, 'secret.txt'), 'TOP-SECRET\n');
    await symlink(join(dir, 'secret.txt'), join(root, 'link.txt'));
    return { root, l: await listen(['--http-dir', root]) };
  }

  it('answers two requests on one keep-alive connection from curl URL1 URL2, with status, length and type, then 404', async () => {
    const { l } = await site();
    const base = `http://127.0.0.1:${l.port}`;
    const r = await run('curl', ['-s', '-i', `${base}/`, `${base}/docs/a.txt`, `${base}/nope.html`]);
    expect(r.out).toMatch(/^HTTP\/1\.1 200 OK\r\nContent-Type: text\/html; charset=utf-8\r\nContent-Length: 15\r\n/);
    expect(r.out).toContain('<h1>hello</h1>');
    expect(r.out).toMatch(/HTTP\/1\.1 200 OK\r\nContent-Type: text\/plain; charset=utf-8\r\nContent-Length: 6\r\n[^]*\r\n\r\nalpha\n/);
    expect(r.out).toContain('HTTP/1.1 404 Not Found');
    const requests =
      (await l.waitFor((e) => notice('HTTP_REQUEST')(e) && (e.params as { path: string }).path === '/nope.html', 'the third request'),
      l.events().filter(notice('HTTP_REQUEST')));
    expect(requests.map((e) => [(e.params as { status: number }).status, e.peer])).toEqual([
      [200, requests[0]!.peer],
      [200, requests[0]!.peer],
      [404, requests[0]!.peer],
    ]);
    expect(requests[0]!.params).toMatchObject({
      method: 'GET',
      path: '/',
      requestLine: 'GET / HTTP/1.1',
      headers: expect.stringContaining('User-Agent: curl/'),
    });
    expect(l.events().filter((e) => e.event === 'connection')).toHaveLength(1);
  });

  it("serves Python's http.client two requests on one connection and answers HEAD without a body", async () => {
    const { l } = await site();
    const r = jsonLines((await run('python3', [join(peers, 'http_client.py'), '127.0.0.1', String(l.port), '/docs/a.txt', '/docs/'])).out);
    expect(r[0]).toMatchObject({ status: 200, reason: 'OK', text: 'alpha\n', headers: { 'Content-Length': '6' } });
    expect(r[1]).toMatchObject({ status: 200, text: expect.stringContaining('<a href="a.txt">a.txt</a>') });
    expect(l.events().filter((e) => e.event === 'connection')).toHaveLength(1);
    const head = await run('curl', ['-s', '-I', `http://127.0.0.1:${l.port}/docs/a.txt`]);
    expect(head.out).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*Content-Length: 6\r\n[^]*\r\n\r\n$/);
  });

  it('never hands out a file outside the folder: .., encoded, double-encoded, backslashes, NUL, a symlink out → 403 or 400', async () => {
    const { l } = await site();
    const base = `http://127.0.0.1:${l.port}`;
    for (const path of [
      '/../secret.txt',
      '/docs/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2e%2e%2fsecret.txt',
      '/%252e%252e/secret.txt',
      '/..%5csecret.txt',
      '/a%00.txt',
      '//etc/passwd',
      '/link.txt',
    ]) {
      const r = await run('curl', ['-s', '--path-as-is', '-o', '-', '-w', '\n%{http_code}', `${base}${path}`]);
      expect(r.out, path).not.toContain('TOP-SECRET');
      expect(r.out.trim().split('\n').at(-1), path).toBe('403');
    }
    expect((await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', `${base}/%zz`])).out).toBe('400');
  });

  it('answers a line that is not HTTP with 400 and closes that connection only; the server goes on', async () => {
    const { l } = await site();
    const reply = await new Promise<string>((resolve, reject) => {
      const s = connect(l.port, '127.0.0.1', () => s.write('hello there\r\n'));
      let got = '';
      s.on('data', (d: Buffer) => (got += d.toString()));
      s.on('close', () => resolve(got));
      s.on('error', reject);
      s.setTimeout(10_000, () => s.destroy(new Error('no answer')));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n[^]*Connection: close\r\n/);
    expect(await l.waitFor(notice('HTTP_BAD_REQUEST'), 'HTTP_BAD_REQUEST')).toMatchObject({ params: { status: 400, variant: 'not-http' } });
    expect((await run('curl', ['-s', `http://127.0.0.1:${l.port}/docs/a.txt`])).out).toBe('alpha\n');
  });
});

describe('refusals when the session opens', () => {
  it('names the field and the rule: a missing folder, a framing the protocol cannot speak, a bad challenge', async () => {
    const missing = await runWirelab(['listen', 'tcp', '0', '--serve-dir', '/nonexistent/wirelab', '--timeout', '100']);
    expect(missing.stderr).toMatch(/dir: the folder \/nonexistent\/wirelab does not exist/);
    const framing = await runWirelab(['listen', 'tcp', '0', '--http-dir', '.', '--frame', 'line', '--timeout', '100']);
    expect(framing.stderr).toMatch(/http-dir frames its own messages: choose raw framing/);
    const challenge = await runWirelab(['listen', 'tcp', '0', '--challenge', 'sha1:k', '--timeout', '100']);
    expect(challenge.stderr).toMatch(/challenge: "sha1" is not an algorithm/);
    expect(challenge.code).toBe(2);
  });
});
