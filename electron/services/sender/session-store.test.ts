import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { LogPage, SenderEvent, SessionSummary } from '../../../shared/contract/sender.ts';
import { readTcpPackets } from '../../../shared/timeline/tcp-packet.ts';
import { tempDir } from '../../../test/support/temp-dir.ts';
import { createBackend } from '../backend.ts';

const text = (t: string) => ({ mode: 'text' as const, text: t, encoding: 'utf8' as const, lineEnding: 'none' as const });
const hex = (h: string) => ({ mode: 'hex' as const, text: h, encoding: 'utf8' as const, lineEnding: 'none' as const });
const portOf = (local: string) => Number(local.split(':').at(-1));

async function setup() {
  const backend = await createBackend({ host: 'browser', dataDir: await tempDir() });
  const events: SenderEvent[] = [];
  backend.hub.on('sender.event', (e) => events.push(e));
  const call = backend.dispatcher.call.bind(backend.dispatcher);
  const value = async <T>(p: Promise<{ ok: true; value: unknown } | { ok: false; error: { message: string } }>): Promise<T> => {
    const r = await p;
    if (!r.ok) throw new Error(r.error.message);
    return r.value as T;
  };
  const until = async (check: () => boolean | Promise<boolean>, ms = 5000) => {
    const end = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > end) throw new Error(`timed out; events: ${JSON.stringify(events.map((e) => [e.type, e.dir, e.text, e.sessionId.slice(0, 4)]))}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  return { backend, events, call, value, until };
}

/** Whether a TCP port on 127.0.0.1 can be listened on again. */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

describe('sessions live in the backend', () => {
  it('lists open sessions with what a tab needs, and pages each log by seq, stitching with the stream', async () => {
    const { backend, events, call, value, until } = await setup();
    try {
      const server = await value<SessionSummary>(
        call('sender.open', {
          kind: 'tcp-server',
          host: '127.0.0.1',
          port: 0,
          framing: { kind: 'delimiter', delimiter: '\n' },
          encoding: 'utf8',
          reply: 'echo',
        }),
      );
      const client = await value<SessionSummary>(
        call('sender.open', {
          kind: 'tcp-client',
          host: '127.0.0.1',
          port: portOf(server.local),
          framing: { kind: 'delimiter', delimiter: '\n' },
          encoding: 'utf8',
          timeoutMs: 3000,
        }),
      );
      for (let i = 0; i < 5; i++) await call('sender.send', { sessionId: client.id, payload: text(`m${i}`) });
      await until(() => events.filter((e) => e.sessionId === client.id && e.type === 'message').length === 5);

      const list = await value<SessionSummary[]>(call('sender.list', {}));
      expect(list.map((s) => s.kind).sort()).toEqual(['tcp-client', 'tcp-server']);
      const srv = list.find((s) => s.id === server.id)!;
      expect(srv.framing).toEqual({ kind: 'delimiter', delimiter: '\n' });
      expect(srv.clients).toHaveLength(1);
      expect(srv.clients[0]).toMatchObject({ bytesIn: 15, bytesOut: 15 }); // 5 × "mN\n" each way
      expect(list.find((s) => s.id === client.id)!.messagesIn).toBe(5);

      // The tail, then older pages: seq rises by one per entry, the pages join without a gap.
      const tail = await value<LogPage>(call('sender.log', { sessionId: client.id, limit: 4 }));
      const mine = events.filter((e) => e.sessionId === client.id);
      expect(tail.lastSeq).toBe(mine.at(-1)!.seq);
      expect(tail.entries.map((e) => e.seq)).toEqual([tail.lastSeq - 3, tail.lastSeq - 2, tail.lastSeq - 1, tail.lastSeq]);
      const older = await value<LogPage>(call('sender.log', { sessionId: client.id, before: tail.entries[0]!.seq, limit: 1000 }));
      expect([...older.entries, ...tail.entries]).toEqual(mine);
      expect(older.entries[0]).toMatchObject({ seq: 1, type: 'connect' });

      // What came after a page is what the stream carried after it.
      await call('sender.send', { sessionId: client.id, payload: text('late') });
      await until(() => events.some((e) => e.sessionId === client.id && e.type === 'message' && e.text === 'late'));
      const after = await value<LogPage>(call('sender.log', { sessionId: client.id, after: tail.lastSeq }));
      expect(after.entries).toEqual(events.filter((e) => e.sessionId === client.id && e.seq > tail.lastSeq));
    } finally {
      await backend.dispose();
    }
  }, 30_000);

  it('exports a 100 KB message whole (text, JSON and pcap from the full bytes, not the 4 KiB preview)', async () => {
    const { backend, events, call, value, until } = await setup();
    try {
      const server = await value<SessionSummary>(
        call('sender.open', {
          kind: 'tcp-server',
          host: '127.0.0.1',
          port: 0,
          framing: { kind: 'length', bytes: 4, endian: 'be', includesPrefix: false },
          encoding: 'utf8',
          reply: 'none',
        }),
      );
      const client = await value<SessionSummary>(
        call('sender.open', {
          kind: 'tcp-client',
          host: '127.0.0.1',
          port: portOf(server.local),
          framing: { kind: 'length', bytes: 4, endian: 'be', includesPrefix: false },
          encoding: 'utf8',
          timeoutMs: 3000,
        }),
      );
      await call('sender.send', { sessionId: client.id, payload: hex('ab'.repeat(100_020)) });
      await until(() => events.some((e) => e.sessionId === server.id && e.type === 'message'));
      // the stream carries a preview; the export the whole message
      expect(events.find((e) => e.sessionId === server.id && e.type === 'message')).toMatchObject({ length: 100_020, truncated: true });
      const json = await value<{ data: string }>(call('sender.export', { sessionId: server.id, format: 'json' }));
      const doc = JSON.parse(json.data) as { events: SenderEvent[] };
      const message = doc.events.find((e) => e.type === 'message')!;
      expect(message.length).toBe(100_020);
      expect(message.hex).toBe('ab'.repeat(100_020));
      expect(doc.events.filter((e) => e.type === 'chunk').reduce((n, e) => n + e.hex.length / 2, 0)).toBe(100_024);
      const pcap = await value<{ data: string; base64: boolean }>(call('sender.export', { sessionId: client.id, format: 'pcap' }));
      expect(pcap.base64).toBe(true);
      // Every byte sent, as the segments a reader sees: 100,024 bytes do not fit one IPv4 packet
      // (its 16-bit total length), so they are two segments with seq continuing.
      const read = readTcpPackets(new Uint8Array(Buffer.from(pcap.data, 'base64')));
      expect(read.problem).toBeNull();
      expect(read.packets.map((p) => p.len)).toEqual([65_495, 100_024 - 65_495]);
      expect(read.packets[1]!.seq - read.packets[0]!.seq).toBe(65_495);
      const txt = await value<{ data: string }>(call('sender.export', { sessionId: client.id, format: 'text' }));
      expect(txt.data).toContain('ab'.repeat(100_020));
    } finally {
      await backend.dispose();
    }
  }, 30_000);

  it('a page of the log stops at 8 MiB of previews, keeping the newest entries of a tail', async () => {
    const { backend, call, value, until } = await setup();
    try {
      const udp = await value<SessionSummary>(call('sender.open', { kind: 'udp', host: '127.0.0.1', port: 0, framing: { kind: 'raw' }, encoding: 'utf8' }));
      // 1,100 datagrams of 4 KiB to itself: 2,200 entries (out and in), 8.6 MB of previews
      for (let i = 0; i < 1100; i++)
        await call('sender.send', { sessionId: udp.id, payload: hex('ab'.repeat(4096)), host: '127.0.0.1', port: portOf(udp.local) });
      await until(async () => (await value<SessionSummary[]>(call('sender.list', {})))[0]!.received === 1100, 15_000);
      const tail = await value<LogPage>(call('sender.log', { sessionId: udp.id, limit: 10_000 }));
      expect(tail.entries).toHaveLength(2048); // 8 MiB / 4 KiB
      expect(tail.entries.at(-1)!.seq).toBe(tail.lastSeq);
      const after = await value<LogPage>(call('sender.log', { sessionId: udp.id, after: 0, limit: 10_000 }));
      expect(after.entries).toHaveLength(2048);
      expect(after.entries[0]!.seq).toBe(1);
    } finally {
      await backend.dispose();
    }
  }, 60_000);

  it('keeps logging with no page listening, and Close all frees every port at once', async () => {
    // no listener on the hub at all: nothing is published, yet the log fills
    const backend = await createBackend({ host: 'browser', dataDir: await tempDir() });
    const call = backend.dispatcher.call.bind(backend.dispatcher);
    const value = async <T>(p: ReturnType<typeof call>): Promise<T> => {
      const r = await p;
      if (!r.ok) throw new Error(r.error.message);
      return r.value as T;
    };
    try {
      const server = await value<SessionSummary>(
        call('sender.open', { kind: 'tcp-server', host: '127.0.0.1', port: 0, framing: { kind: 'raw' }, encoding: 'utf8', reply: 'echo' }),
      );
      const udp = await value<SessionSummary>(call('sender.open', { kind: 'udp', host: '127.0.0.1', port: 0, framing: { kind: 'raw' }, encoding: 'utf8' }));
      const client = await value<SessionSummary>(
        call('sender.open', { kind: 'tcp-client', host: '127.0.0.1', port: portOf(server.local), framing: { kind: 'raw' }, encoding: 'utf8', timeoutMs: 3000 }),
      );
      await call('sender.send', { sessionId: client.id, payload: text('hi') });
      const page = await value<LogPage>(call('sender.log', { sessionId: client.id }));
      expect(page.entries.map((e) => e.type)).toContain('connect');
      expect(await canListen(portOf(server.local))).toBe(false);
      expect(backend.sender.logs.used).toBeGreaterThan(0);
      expect(await value(call('sender.closeAll', {}))).toEqual({ closed: 3 });
      expect(await value(call('sender.list', {}))).toEqual([]);
      expect(await canListen(portOf(server.local))).toBe(true);
      const again = await value<SessionSummary>(
        call('sender.open', { kind: 'udp', host: '127.0.0.1', port: portOf(udp.local), framing: { kind: 'raw' }, encoding: 'utf8' }),
      );
      expect(portOf(again.local)).toBe(portOf(udp.local));
      // the closed sessions' logs went back to the budget
      expect(backend.sender.logs.used).toBe(0);
    } finally {
      await backend.dispose();
    }
  }, 30_000);
});
