import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFrame, upgradeHeaders } from '../../../test/support/raw-http.ts';
import { invoke, openUiSocket, serveChild, type ServedHost } from '../../../test/support/served-host.ts';

/**
 * Fuzzes the browser host's front door for real: a `wirelab serve` child, raw TCP sockets, and
 * a few thousand seeded random or malformed requests — request lines, targets, headers, cookies,
 * upgrades and WebSocket frames, bodies — with resets at every stage. After each batch the host
 * must still serve an authenticated page and answer a WebSocket invoke, and no answer may be 5xx.
 * The seed is printed; `WIRELAB_FUZZ_SEED=<n>` replays a run.
 */
const seed = Number(process.env.WIRELAB_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const batches = 12;
const perBatch = 250;
const parallel = 40;

/** mulberry32: small, fast, good enough to pick cases, and reproducible from one number. */
function prng(s: number): () => number {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Stage = 'wait' | 'half-close' | 'reset-mid-write' | 'reset-after-write' | 'reset-on-reply' | 'reset-after-reply';

interface Case {
  kind: string;
  chunks: Buffer[];
  stage: Stage;
}

let host: ServedHost;
beforeAll(async () => {
  host = await serveChild();
}, 40_000);
afterAll(async () => {
  await host?.stop();
});

function makeCases(rand: () => number, h: ServedHost): Case[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const int = (n: number) => Math.floor(rand() * n);
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  const printable = (n: number) => Array.from({ length: n }, () => String.fromCharCode(32 + int(95))).join('');
  const goodCookie = h.cookie;
  const name = `wirelab_token_${h.port}`;

  const methods = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT', 'PATCH', 'get', 'G ET', 'GET\0', 'ПОЛУЧИТЬ', '', 'X'.repeat(300)];
  const targets = [
    '/',
    '/ws',
    '//[/ws',
    '//[/',
    '/%E0',
    '/%',
    '/%%30',
    '/..%2f..%2fetc/passwd',
    '/../../etc/passwd',
    '/assets/../../x',
    '*',
    'ws',
    '',
    `http://${h.hostHeader}/`,
    'http://[/',
    'http://evil.example/ws',
    '//evil.example/?token=' + h.token,
    `/?token=${h.token}`,
    '/?token=%E0',
    '/?token=' + 'a'.repeat(5000),
    '/\0',
    '/\u00ff',
    '/ws?x=%zz',
    '/ws#frag',
    '/index.html',
    '/assets/',
    '/' + 'a/'.repeat(2000),
    'ftp://x/',
    'http://',
    '/ws/',
  ];
  const versions = ['HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/0.9', 'HTTP/1.1x', 'http/1.1', 'HTTP/1', ''];
  const cookieValues = [
    goodCookie,
    `${name}=%E0`,
    `${name}=%`,
    `${name}=%E0%A4%A`,
    `${name}="${h.token}"`,
    `${name}=`,
    `${name}`,
    `${name}=x; ${goodCookie}`,
    `${goodCookie}; ${name}=%E0`,
    `${name}=${'%E0'.repeat(500)}`,
    `=; ;;=;${name}=\u00e0`,
    Array.from({ length: 200 }, () => `${name}=x`).join('; '),
    `${name}=${h.token.toUpperCase()}`,
    `a=b`,
    '%E0',
  ];
  const hostValues = [h.hostHeader, `localhost:${h.port}`, 'evil.example', '', '[', '[::1', `127.0.0.1:${h.port}:1`, 'x'.repeat(1000), `${h.hostHeader}\u00e9`];
  const originValues = [h.origin, 'http://evil.example', 'null', '', '%E0', 'http://[', `HTTP://${h.hostHeader.toUpperCase()}`];

  function headerLines(upgrade: boolean): string[] {
    const lines: string[] = [];
    if (rand() < 0.9) lines.push(`Host: ${rand() < 0.7 ? h.hostHeader : pick(hostValues)}`);
    if (rand() < 0.2) lines.push(`Host: ${pick(hostValues)}`);
    if (upgrade) {
      const up = upgradeHeaders(h.hostHeader)
        .split('\r\n')
        .filter((l) => l && !l.startsWith('Host:'));
      for (const l of up) {
        const r = rand();
        if (r < 0.08) continue; // leave one out
        if (r < 0.16) lines.push(`${l.split(':')[0]}: ${pick(['', '0', 'h2c', 'websocket, h2c', printable(int(40)), 'AAAA'])}`);
        else lines.push(l);
      }
    }
    if (rand() < 0.6) lines.push(`Cookie: ${pick(cookieValues)}`);
    if (rand() < 0.15) lines.push(`Cookie: ${pick(cookieValues)}`);
    if (rand() < 0.5) lines.push(`Origin: ${pick(originValues)}`);
    if (rand() < 0.15) lines.push(`Authorization: ${pick(['Bearer ' + h.token, 'Bearer', 'Bearer %E0', 'Basic eA==', 'Bearer ' + 'x'.repeat(2000)])}`);
    if (rand() < 0.15) lines.push(`Content-Length: ${pick(['0', '5', '-1', 'abc', '99999999999999999999', '10, 11', ' 3'])}`);
    if (rand() < 0.1) lines.push(`Transfer-Encoding: ${pick(['chunked', 'gzip', 'chunked, chunked', 'x'])}`);
    if (rand() < 0.08) lines.push(`Expect: ${pick(['100-continue', 'x'])}`);
    if (rand() < 0.1) lines.push(`${pick(['X', 'Bad Name', 'X\0', '', ':', 'Ünïcode', 'A'.repeat(200)])}: ${printable(int(60))}`);
    if (rand() < 0.05) lines.push(` folded continuation ${printable(10)}`);
    if (rand() < 0.05) lines.push(`X-Big: ${'b'.repeat(17_000)}`); // over Node's 16 KiB header limit
    if (rand() < 0.03) for (let i = 0; i < 300; i++) lines.push(`X-${i}: ${i}`);
    if (rand() < 0.05) lines.push(`X-Bin: ${bytes(20).toString('latin1')}`);
    if (rand() < 0.7) lines.push('Connection: close');
    return lines;
  }

  /** Frames after a (maybe) accepted upgrade: valid envelopes, junk, protocol errors. */
  function frames(): Buffer[] {
    const out: Buffer[] = [];
    const n = 1 + int(4);
    for (let i = 0; i < n; i++) {
      const r = rand();
      if (r < 0.2)
        out.push(
          clientFrame(
            0x1,
            Buffer.from(
              JSON.stringify({
                type: 'invoke',
                id: int(100),
                command: pick(['app.ping', 'app.info', 'nope', 'sender.list', '__proto__', 'constructor']),
                input: pick([{ at: 1 }, {}, null, [], 'x', { a: { b: 1 } }]),
              }),
            ),
          ),
        );
      else if (r < 0.3)
        out.push(
          clientFrame(
            0x1,
            Buffer.from(
              pick([
                'not json',
                '{',
                '[]',
                'null',
                '{"type":"subscribe","stream":"nope"}',
                '{"type":"subscribe","stream":"sender.event"}',
                '{"id":1}',
                '{"type":"invoke","id":-1}',
              ]),
            ),
          ),
        );
      else if (r < 0.4) out.push(clientFrame(0x1, Buffer.from([0x7b, 0xe0, 0x80, 0xff])));
      else if (r < 0.5) out.push(clientFrame(0x2, bytes(int(200))));
      else if (r < 0.58) out.push(clientFrame(pick([0x3, 0x4, 0x7, 0xb, 0xf]), bytes(int(20))));
      else if (r < 0.64)
        out.push(clientFrame(0x0, bytes(int(20)))); // continuation with nothing to continue
      else if (r < 0.7) out.push(clientFrame(0x1, Buffer.from('{"type":'), { fin: false }));
      else if (r < 0.76)
        out.push(clientFrame(0x9, bytes(int(130)))); // ping, maybe over 125 bytes
      else if (r < 0.82) out.push(clientFrame(0x8, Buffer.concat([Buffer.from([int(256), int(256)]), bytes(int(10))])));
      else if (r < 0.88) out.push(clientFrame(0x1, Buffer.from('{"type":"invoke"'), { declaredLength: pick([200 * 1024 * 1024, 2 ** 53, 70_000]) }));
      else if (r < 0.94)
        out.push(bytes(1 + int(100))); // not a frame at all (unmasked junk)
      else out.push(Buffer.from(clientFrame(0x1, Buffer.from('{}')).subarray(0, 1 + int(5))));
    }
    return out;
  }

  const cases: Case[] = [];
  for (let i = 0; i < perBatch; i++) {
    const r = rand();
    let kind: string;
    let text: Buffer[];
    if (r < 0.1) {
      kind = 'garbage';
      text = [rand() < 0.5 ? bytes(1 + int(400)) : Buffer.from(printable(1 + int(400)))];
    } else {
      const upgrade = r < 0.45;
      kind = upgrade ? 'upgrade' : 'request';
      const method = rand() < 0.75 ? 'GET' : pick(methods);
      const target = rand() < 0.4 ? (upgrade ? '/ws' : '/') : pick(targets);
      const version = rand() < 0.85 ? 'HTTP/1.1' : pick(versions);
      const eol = rand() < 0.95 ? '\r\n' : pick(['\n', '\r', '\r\r\n']);
      let head = `${method} ${target} ${version}${eol}${headerLines(upgrade).join(eol)}${eol}${eol}`;
      if (rand() < 0.05) head = head.replace(' ', pick(['  ', '\t', '']));
      text = [Buffer.from(head, 'latin1')];
      if (!upgrade && rand() < 0.2) {
        kind = 'body';
        text.push(rand() < 0.5 ? bytes(int(300)) : Buffer.from(pick(['5\r\nhello\r\n0\r\n\r\n', 'zz\r\n', '0\r\n\r\n', 'ffffffffffffffff\r\nx'])));
      }
      if (!upgrade && rand() < 0.1) {
        kind = 'pipelined';
        text.push(Buffer.from(`GET / HTTP/1.1\r\nHost: ${h.hostHeader}\r\nCookie: ${pick(cookieValues)}\r\n\r\n`));
      }
      if (upgrade && rand() < 0.8) {
        kind = 'upgrade+frames';
        // Sometimes a fully valid upgrade, so the frames reach the WebSocket for real.
        if (rand() < 0.6) text = [Buffer.from(`GET /ws HTTP/1.1\r\n${upgradeHeaders(h.hostHeader)}Origin: ${h.origin}\r\nCookie: ${goodCookie}\r\n\r\n`)];
        text.push(...frames());
      }
    }
    // Split writes at random points: the parser must cope with any segmentation.
    const all = Buffer.concat(text);
    const chunks: Buffer[] = [];
    let at = 0;
    while (at < all.length) {
      const len = rand() < 0.5 ? all.length - at : 1 + int(Math.min(64, all.length - at));
      chunks.push(all.subarray(at, at + len));
      at += len;
    }
    const stage = pick<Stage>(['wait', 'wait', 'half-close', 'reset-mid-write', 'reset-after-write', 'reset-on-reply', 'reset-after-reply']);
    cases.push({ kind, chunks, stage });
  }
  return cases;
}

/** Plays one case; resolves with every HTTP status the host answered (before any 101). */
function play(port: number, c: Case): Promise<number[]> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const got: Buffer[] = [];
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(got).toString('latin1');
      const statuses: number[] = [];
      for (const m of text.matchAll(/(?:^|\r\n)HTTP\/1\.[01] (\d{3}) /g)) {
        statuses.push(Number(m[1]));
        if (m[1] === '101') break; // what follows is WebSocket frames, not HTTP
      }
      resolve(statuses);
    };
    const timer = setTimeout(() => {
      if (!done) socket.resetAndDestroy();
      finish();
    }, 400);
    socket.on('error', finish);
    socket.on('close', finish);
    socket.on('data', (d: Buffer) => {
      got.push(d);
      if (c.stage === 'reset-on-reply') {
        socket.resetAndDestroy();
        finish();
      } else if (c.stage === 'reset-after-reply') {
        setTimeout(() => {
          if (!done) socket.resetAndDestroy();
          finish();
        }, 20);
      }
    });
    socket.on('connect', () => {
      const cut = c.stage === 'reset-mid-write' ? Math.floor(c.chunks.length / 2) : c.chunks.length;
      for (let i = 0; i < cut; i++) if (!socket.destroyed) socket.write(c.chunks[i]!);
      if (c.stage === 'reset-mid-write' || c.stage === 'reset-after-write') {
        // Let the bytes leave first so the host sees a partial request, then reset.
        setImmediate(() => {
          if (!done) socket.resetAndDestroy();
          finish();
        });
      } else if (c.stage === 'half-close') socket.end();
    });
  });
}

describe('the browser host front door under fuzzing', () => {
  it(`survives ${batches * perBatch} seeded malformed requests, answers no 5xx, and keeps serving (seed printed)`, async () => {
    console.log(`front-door fuzz: seed ${seed} (replay with WIRELAB_FUZZ_SEED=${seed})`);
    const rand = prng(seed);
    const byKind = new Map<string, number>();
    const byStatus = new Map<number, number>();
    const fiveHundreds: string[] = [];
    let sent = 0;
    for (let b = 0; b < batches; b++) {
      const cases = makeCases(rand, host);
      for (let i = 0; i < cases.length; i += parallel) {
        const group = cases.slice(i, i + parallel);
        const results = await Promise.all(group.map((c) => play(host.port, c)));
        results.forEach((statuses, j) => {
          const c = group[j]!;
          byKind.set(c.kind, (byKind.get(c.kind) ?? 0) + 1);
          for (const s of statuses) {
            byStatus.set(s, (byStatus.get(s) ?? 0) + 1);
            if (s >= 500) fiveHundreds.push(`${s} for ${c.kind}/${c.stage}: ${JSON.stringify(Buffer.concat(c.chunks).toString('latin1').slice(0, 300))}`);
          }
        });
        sent += group.length;
      }
      // After each batch: still alive, still serving the page, still carrying the contract.
      expect(host.child.exitCode, `host exited after batch ${b} (seed ${seed})`).toBeNull();
      const page = await fetch(`${host.origin}/`, { headers: { cookie: host.cookie } });
      expect(page.status, `page after batch ${b} (seed ${seed})`).toBe(200);
      await page.arrayBuffer();
      const ws = await openUiSocket(host);
      expect(await invoke(ws, 1, 'app.ping', { at: b }, 10_000)).toMatchObject({ ok: true, value: { at: b } });
      ws.close();
      expect(fiveHundreds, `5xx answers (seed ${seed})`).toEqual([]);
    }
    console.log(
      `front-door fuzz: seed ${seed}: ${sent} connections; kinds ${JSON.stringify(Object.fromEntries(byKind))}; statuses ${JSON.stringify(Object.fromEntries([...byStatus].sort((a, b) => a[0] - b[0])))}`,
    );
    expect(sent).toBe(batches * perBatch);
  }, 120_000);
});
