import { open } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPeer, startPeer, stopPeer } from '../../../test/support/python-peer.ts';
import { tempDir } from '../../../test/support/temp-dir.ts';
import { createBackend } from '../backend.ts';
import { Connection, socketIo, type ConnectionHooks } from './responders/connection.ts';

const MiB = 1024 * 1024;

/** A 64 MiB file: far more than loopback's socket buffers hold, so most of it can never have left when the peer quits. */
async function bigFile(): Promise<string> {
  const path = join(await tempDir(), 'big.bin');
  const fh = await open(path, 'w');
  await fh.truncate(64 * MiB);
  await fh.close();
  return path;
}

/**
 * sender.sendFile to a python3 server that reads 1 MiB of the upload and closes (or resets):
 * what the log and the answer say was sent.
 */
async function sendToQuitter(reset: boolean) {
  const path = await bigFile();
  const peer = await startPeer('quitting_server.py', [String(MiB), ...(reset ? ['--reset'] : [])]);
  const backend = await createBackend({ host: 'browser', dataDir: await tempDir() });
  try {
    const call = backend.dispatcher.call.bind(backend.dispatcher);
    const c = await call('sender.open', {
      kind: 'tcp-client',
      host: '127.0.0.1',
      port: peer.port,
      framing: { kind: 'raw' },
      encoding: 'utf8',
      timeoutMs: 10_000,
    });
    if (!c.ok) throw new Error(c.error.message);
    // the CLI's progress line hears what the service's onProgress hears
    let progress = 0;
    const r = await backend.sender.sendFile(c.value.id, path, { onProgress: (bytes) => (progress = Math.max(progress, bytes)) }).then(
      (value) => ({ ok: true as const, value }),
      (e: Error) => ({ ok: false as const, error: e }),
    );
    const log = await call('sender.log', { sessionId: c.value.id, limit: 1000 });
    const list = await call('sender.list', {});
    if (!r.ok || !log.ok || !list.ok) throw new Error('a call failed');
    const notices = log.value.entries.filter((e) => e.type === 'notice' && e.code?.startsWith('SENDER_FILE_'));
    // The peer prints what it read once it has closed, so its line can come after the cut is seen here.
    for (let i = 0; i < 250 && !peer.output().includes('"read"'); i++) await new Promise((res) => setTimeout(res, 20));
    return { result: r.value, notices, progress, info: list.value.find((s) => s.id === c.value.id)!, peerOutput: peer.output() };
  } finally {
    await backend.dispose();
    await stopPeer(peer.child);
  }
}

describe('a file send the peer cuts short', () => {
  for (const reset of [false, true]) {
    it(`logs SENDER_FILE_CUT with the bytes the socket took, not the file's size, when the peer ${reset ? 'resets' : 'closes'} after 1 MiB`, async () => {
      const { result, notices, progress, info, peerOutput } = await sendToQuitter(reset);
      expect(peerOutput).toContain('{"read": 1048576}');
      const cut = notices.find((n) => n.code === 'SENDER_FILE_CUT');
      expect(notices.map((n) => n.code)).not.toContain('SENDER_FILE_SENT');
      expect(cut?.params).toMatchObject({ name: 'big.bin', size: 64 * MiB });
      const sent = Number(cut?.params?.sent);
      // at least what the peer read; far less than the file (the rest never left this host)
      expect(sent).toBeGreaterThanOrEqual(MiB);
      expect(sent).toBeLessThan(64 * MiB);
      // the socket error that ended it: a RST whichever way the peer quit, as it left data unread
      // (a close that came when its buffer happened to be empty is a FIN: then no error, 'closed')
      expect(reset ? ['ECONNRESET', 'EPIPE'] : ['ECONNRESET', 'EPIPE', 'closed']).toContain(cut?.params?.reason);
      expect(result).toMatchObject({ complete: false, size: 64 * MiB, sent, reason: cut?.params?.reason });
      // the session's counters agree with the log: what was written, not what was read from disk
      expect(info.sentBytes).toBe(sent);
      // progress said what the socket took, never the disk's read-ahead past it
      expect(progress).toBeGreaterThan(0);
      expect(progress).toBeLessThanOrEqual(sent);
      for (const n of notices.filter((x) => x.code === 'SENDER_FILE_PROGRESS')) expect(Number(n.params?.bytes)).toBeLessThanOrEqual(sent);
    }, 60_000);
  }

  it("a server client's bytesOut counts what the socket took, as the session and SENDER_FILE_CUT do", async () => {
    const path = await bigFile();
    let clientOut = 0;
    let sessionOut = 0;
    const server = createServer();
    try {
      const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      // the notes' client: connect, recv 1 MiB of the download, close with the rest unread (a RST)
      const client = runPeer('greeted_client.py', ['127.0.0.1', String((server.address() as AddressInfo).port), String(MiB)]);
      const socket = await accepted;
      socket.on('error', () => undefined);
      const hooks: ConnectionHooks = {
        sent: (_, bytes) => (sessionOut += typeof bytes === 'number' ? bytes : bytes.length),
        note: () => undefined,
        others: () => [],
      };
      // how the sender's TCP server counts a client's bytes (sender-service.ts, socketConnection)
      const conn = new Connection(
        'peer',
        'utf8',
        { kind: 'raw' },
        socketIo(socket, (n) => (clientOut += n)),
        hooks,
        null,
      );
      const result = await conn.sendFile(path);
      expect((await client).code).toBe(0);
      expect(result.complete).toBe(false);
      expect(result.sent).toBeLessThan(64 * MiB);
      expect(sessionOut).toBe(result.sent);
      expect(clientOut).toBe(result.sent);
      socket.destroy();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }, 60_000);
});
