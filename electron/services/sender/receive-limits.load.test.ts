import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startHost, until, type HostClient } from '../../../test/support/host-client.ts';

// The browser host as a real child process (`wirelab serve`), one WebSocket client as the page,
// and real peers on 127.0.0.1: what an attacker on this machine could do to a server session.

interface Ev {
  sessionId: string;
  type: string;
  code: string | null;
  message: string | null;
  peer: string | null;
}

const len32 = { kind: 'length', bytes: 4, endian: 'le', includesPrefix: false } as const;
let host: HostClient | null = null;
const peers: Socket[] = [];

afterEach(async () => {
  for (const p of peers.splice(0)) p.destroy();
  await host?.close();
  host = null;
});

async function openServer(h: HostClient, extra: Record<string, unknown> = {}): Promise<{ id: string; port: number }> {
  const r = await h.call('sender.open', { kind: 'tcp-server', host: '127.0.0.1', port: 0, framing: len32, encoding: 'utf8', reply: 'none', ...extra });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  const v = r.value as { id: string; local: string };
  return { id: v.id, port: Number(v.local.split(':').at(-1)) };
}

function peer(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.on('error', reject);
    peers.push(s);
  });
}

const closed = (s: Socket) => s.destroyed || s.readyState === 'closed';
const mine = (h: HostClient, id: string, type: string) => (h.events as Ev[]).filter((e) => e.sessionId === id && e.type === type);

describe('a server session under hostile peers (host as a child process)', () => {
  it('after a framing error it closes that connection and says so once, with the code', async () => {
    host = await startHost();
    host.subscribe('sender.event');
    const { id, port } = await openServer(host);
    const bad = await peer(port);
    const good = await peer(port);
    // 0xffffffff as a signed 32-bit length: -1, not a possible frame
    bad.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3]));
    for (let i = 0; i < 50 && !closed(bad); i++) {
      bad.write(Buffer.alloc(100, i));
      await new Promise((r) => setTimeout(r, 20));
    }
    await until(() => closed(bad), 5000, 'the host to close the misframed connection');
    await until(() => mine(host!, id, 'client-close').length >= 1, 5000, 'the client-close event');
    const errors = mine(host, id, 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'FRAME_BAD_LENGTH', message: expect.stringContaining('closing this connection') });
    // the other peer is untouched: its frame still arrives
    good.write(Buffer.from([2, 0, 0, 0, 0x68, 0x69]));
    await until(() => mine(host!, id, 'message').length === 1, 5000, "the good peer's message");
    expect(closed(good)).toBe(false);
  }, 30_000);

  it('partial frames of all connections share one budget: 40 peers holding ~16 MiB each stay under 300 MB, and memory comes back', async () => {
    host = await startHost();
    host.subscribe('sender.event');
    const { id, port } = await openServer(host);
    await new Promise((r) => setTimeout(r, 500));
    const before = host.rss();
    const announce = 16 * 1024 * 1024 - 64;
    const body = Buffer.alloc(15 * 1024 * 1024, 0x61);
    const head = Buffer.alloc(4);
    head.writeInt32LE(announce);
    let peak = 0;
    const sample = setInterval(() => (peak = Math.max(peak, host?.rss() ?? 0)), 50);
    try {
      for (let i = 0; i < 40; i++) {
        const s = await peer(port);
        s.on('error', () => undefined); // the host may reset a refused peer mid-write
        s.write(head);
        await new Promise<void>((resolve) => {
          s.write(body, () => resolve());
          s.once('close', () => resolve());
        });
      }
      await until(() => mine(host!, id, 'error').length >= 36, 20_000, 'the budget to refuse the frames over it');
      peak = Math.max(peak, host.rss());
      const refused = mine(host, id, 'error');
      expect(refused.every((e) => e.code === 'FRAME_BUDGET')).toBe(true);
      // said once per refused connection, and those connections were closed
      expect(new Set(refused.map((e) => e.peer)).size).toBe(refused.length);
      await until(() => peers.filter(closed).length >= 36, 10_000, 'the refused peers to be closed');
      expect(peak).toBeLessThan(300 * 1024 * 1024);
      // The accepted peers go too: what they held is given back.
      for (const p of peers) p.destroy();
      await until(() => mine(host!, id, 'client-close').length === 40, 10_000, 'every peer to be gone');
      // A fifth 16 MiB frame now fits the budget again (nothing is retained for closed peers).
      const again = await peer(port);
      again.write(head);
      again.write(body);
      again.write(Buffer.alloc(announce - body.length, 0x62));
      await until(() => mine(host!, id, 'message').length === 1, 10_000, 'a whole 16 MiB frame after the others left');
      again.destroy();
      // The session's log keeps what it received, by design, up to limits.senderLogBytes (the
      // user can still export those bytes). Clearing it leaves nothing the peers brought.
      expect((await host.call('sender.clearLog', { sessionId: id })).ok).toBe(true);
      // Memory comes back once V8 collects (its memory reducer runs a few seconds after the burst).
      await until(
        () => host!.rss() < before + 100 * 1024 * 1024,
        30_000,
        `RSS to fall back near ${Math.round(before / 1e6)} MB (now ${Math.round(host!.rss() / 1e6)} MB, peak ${Math.round(peak / 1e6)} MB)`,
      );
    } finally {
      clearInterval(sample);
    }
  }, 90_000);

  it('a pathological reply rule cannot freeze the host: the contract answers within 500 ms', async () => {
    host = await startHost();
    host.subscribe('sender.event');
    const { id, port } = await openServer(host, {
      framing: { kind: 'delimiter', delimiter: '\n' },
      reply: 'rules',
      rules: [
        { match: 'regex', pattern: '^(a+)+$', reply: 'all a' },
        { match: 'contains', pattern: '!', reply: 'bang' },
      ],
    });
    const p = await peer(port);
    let answer = '';
    p.on('data', (d) => (answer += d.toString()));
    p.write('aaaaaaaaaaaaaaaaaaaaaaaaaaaaa!\n');
    const t0 = performance.now();
    const ping = await host.call('app.ping', { at: 1 }, 5000);
    expect(ping.ok).toBe(true);
    expect(performance.now() - t0).toBeLessThan(500);
    // the line did not match the first rule, so the second one answered
    await until(() => answer === 'bang\n', 5000, 'the reply');
    // a 4 MiB line: longer than regex rules take (64 Ki characters), so the host still answers at once
    answer = '';
    p.write(`${'a'.repeat(4 * 1024 * 1024)}!\n`);
    await until(() => answer === 'bang\n', 10_000, 'the reply to the long line');
    const t1 = performance.now();
    expect((await host.call('app.ping', { at: 2 }, 5000)).ok).toBe(true);
    expect(performance.now() - t1).toBeLessThan(500);
    const list = await host.call('sender.list', {});
    expect((list.value as { id: string; timedOutRules: number[] }[]).find((s) => s.id === id)?.timedOutRules).toEqual([]);
  }, 30_000);

  it('a pattern the engine cannot run in linear time is refused with the same words in the contract', async () => {
    host = await startHost();
    const r = await host.call('sender.open', {
      kind: 'tcp-server',
      host: '127.0.0.1',
      port: 0,
      framing: len32,
      encoding: 'utf8',
      reply: 'rules',
      rules: [
        { match: 'exact', pattern: 'x', reply: 'y' },
        { match: 'regex', pattern: '(a)\\1', reply: 'twice' },
      ],
    });
    expect(r).toMatchObject({
      ok: false,
      error: {
        code: 'INVALID_INPUT',
        field: 'rules[2].pattern',
        message: expect.stringMatching(/^rules\[2\]\.pattern: backreferences such as \\1 are not supported/),
      },
    });
  }, 30_000);
});
