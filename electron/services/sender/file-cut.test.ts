import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startPeer, stopPeer } from '../../../test/support/python-peer.ts';
import { tempDir } from '../../../test/support/temp-dir.ts';
import { createBackend } from '../backend.ts';

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
    const r = await call('sender.sendFile', { sessionId: c.value.id, path });
    const log = await call('sender.log', { sessionId: c.value.id, limit: 1000 });
    const list = await call('sender.list', {});
    if (!r.ok || !log.ok || !list.ok) throw new Error('a call failed');
    const notices = log.value.entries.filter((e) => e.type === 'notice' && e.code?.startsWith('SENDER_FILE_'));
    return { result: r.value, notices, info: list.value.find((s) => s.id === c.value.id)!, peerOutput: peer.output() };
  } finally {
    await backend.dispose();
    await stopPeer(peer.child);
  }
}

describe('a file send the peer cuts short', () => {
  for (const reset of [false, true]) {
    it(`logs SENDER_FILE_CUT with the bytes the socket took, not the file's size, when the peer ${reset ? 'resets' : 'closes'} after 1 MiB`, async () => {
      const { result, notices, info, peerOutput } = await sendToQuitter(reset);
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
    }, 60_000);
  }
});
