import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import type { SenderCounters } from '../../../shared/contract/sender.ts';
import { tempDir } from '../../../test/support/temp-dir.ts';
import { EventHub } from '../../core/event-hub.ts';
import { createBackend, type Backend } from '../backend.ts';
import { CountersTicker } from './counters-ticker.ts';
import { zeroCounters, type SessionInfo } from '../../../shared/contract/sender.ts';

const info = (id: string): SessionInfo => ({
  id,
  kind: 'udp',
  local: '127.0.0.1:9',
  remote: null,
  connectMs: null,
  state: 'open',
  ...zeroCounters,
  timedOutRules: [],
});

let backend: Backend | null = null;
afterEach(async () => {
  await backend?.dispose();
  backend = null;
});

/** Sends `n` datagrams of `size` bytes to the session's port and waits until they are all sent. */
async function sendDatagrams(port: number, n: number, size: number): Promise<void> {
  const sock = createSocket('udp4');
  try {
    for (let i = 0; i < n; i++) await new Promise<void>((r, j) => sock.send(Buffer.alloc(size, 0x61), port, '127.0.0.1', (e) => (e ? j(e) : r())));
  } finally {
    sock.close();
  }
}

async function until(check: () => boolean, what: string, ms = 4000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('sender.counters: the host’s exact counts, pushed while they move', () => {
  it('a UDP session’s counts arrive on the stream about once a second, and the tick stops with the last session', async () => {
    backend = await createBackend({ host: 'browser', dataDir: await tempDir() });
    const got: SenderCounters[] = [];
    backend.hub.on('sender.counters', (e) => got.push(e));
    const opened = await backend.dispatcher.call('sender.open', { kind: 'udp', host: '127.0.0.1', port: 0, framing: { kind: 'raw' }, encoding: 'utf8' });
    if (!opened.ok) throw new Error(opened.error.message);
    const id = opened.value.id;
    const port = Number(opened.value.local.split(':').at(-1));

    await sendDatagrams(port, 3, 10);
    // The session's own tick (no test hook): the counts arrive within about a second.
    const started = Date.now();
    await until(() => got.some((e) => e.sessions.some((c) => c.id === id && c.received === 3)), 'the three datagrams to be counted');
    expect(Date.now() - started).toBeLessThan(3000);
    const last = got.at(-1)!.sessions.find((c) => c.id === id)!;
    expect(last).toMatchObject({ received: 3, receivedBytes: 30, sent: 0, sentBytes: 0, notLogged: 0, timedOutRules: [] });
    // Linux tells the kernel's drops of the socket (none here).
    expect(last.kernelDropped).toBe(0);

    // Closed: the tick stops with the host's last session, and nothing more of it is said.
    expect(backend.sender.counters.running).toBe(true);
    await backend.dispatcher.call('sender.close', { sessionId: id });
    expect(backend.sender.counters.running).toBe(false);
    const afterClose = got.length;
    await new Promise((r) => setTimeout(r, 1300));
    expect(got.length).toBe(afterClose);
  });

  it('a tick sends only the sessions that moved, and every fifth tick all of them (a page that missed one heals)', () => {
    const hub = new EventHub();
    const got: SenderCounters[] = [];
    hub.on('sender.counters', (e) => got.push(e));
    const a = { ...info('a'), received: 1 };
    const b = { ...info('b'), received: 7 };
    const ticker = new CountersTicker(hub, () => [a, b]);
    ticker.tick(); // 1: both are new
    expect(got.at(-1)!.sessions.map((c) => c.id)).toEqual(['a', 'b']);
    a.received = 2;
    ticker.tick(); // 2: only a moved
    expect(got.at(-1)!.sessions).toEqual([expect.objectContaining({ id: 'a', received: 2 })]);
    ticker.tick(); // 3, 4: nothing moved, nothing sent
    ticker.tick();
    expect(got).toHaveLength(2);
    ticker.tick(); // 5: everything again
    expect(got).toHaveLength(3);
    expect(got.at(-1)!.sessions.map((c) => [c.id, c.received])).toEqual([
      ['a', 2],
      ['b', 7],
    ]);
    // the counts are copies: a later change in the service does not rewrite what was sent
    a.timedOutRules.push(1);
    expect(got.at(-1)!.sessions[0]!.timedOutRules).toEqual([]);
  });

  it('with nobody following the stream, a tick reads nothing and publishes nothing', async () => {
    backend = await createBackend({ host: 'browser', dataDir: await tempDir() });
    const opened = await backend.dispatcher.call('sender.open', { kind: 'udp', host: '127.0.0.1', port: 0, framing: { kind: 'raw' }, encoding: 'utf8' });
    if (!opened.ok) throw new Error(opened.error.message);
    await sendDatagrams(Number(opened.value.local.split(':').at(-1)), 1, 4);
    await until(() => backend!.sender.list()[0]?.received === 1, 'the datagram to be read');
    const got: SenderCounters[] = [];
    backend.sender.counters.tick();
    // A page that subscribes now gets the counts that moved before it came (nothing was marked sent).
    backend.hub.on('sender.counters', (e) => got.push(e));
    backend.sender.counters.tick();
    expect(got).toEqual([expect.objectContaining({ sessions: [expect.objectContaining({ id: opened.value.id, received: 1 })] })]);
  });
});
