import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import type { SenderCounters } from '../../../shared/contract/sender.ts';
import { tempDir } from '../../../test/support/temp-dir.ts';
import { createBackend, type Backend } from '../backend.ts';

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
  it('a UDP session’s counts arrive on the stream about once a second, only when they moved, and stop with the session', async () => {
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

    // Nothing moved: a tick publishes nothing.
    const before = got.length;
    backend.sender.counters.tick();
    expect(got.length).toBe(before);

    // Moved again: the next tick carries the new count.
    await sendDatagrams(port, 2, 5);
    await until(() => (backend!.sender.list().find((s) => s.id === id)?.received ?? 0) === 5, 'the host to read the two datagrams');
    backend.sender.counters.tick();
    expect(got.at(-1)!.sessions).toEqual([expect.objectContaining({ id, received: 5, receivedBytes: 40 })]);

    // Closed: no more counters of it, and no tick runs for a host without sessions.
    await backend.dispatcher.call('sender.close', { sessionId: id });
    const afterClose = got.length;
    await new Promise((r) => setTimeout(r, 1300));
    expect(got.length).toBe(afterClose);
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
