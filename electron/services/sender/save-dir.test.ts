import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { limits } from '../../../shared/contract/limits.ts';
import type { SenderEvent } from '../../../shared/contract/sender.ts';
import { runPeer } from '../../../test/support/python-peer.ts';
import { wirelabBin, projectRoot } from '../../../test/support/spawn-cli.ts';
import { tempDir } from '../../../test/support/temp-dir.ts';
import { createBackend } from '../backend.ts';

const ftp = { kind: 'header-json', sizeKey: 'filesize' } as const;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function setup(spec: Record<string, unknown> = {}) {
  const backend = await createBackend({ host: 'browser', dataDir: await tempDir() });
  const events: SenderEvent[] = [];
  backend.hub.on('sender.event', (e) => events.push(e));
  const dir = await tempDir('wirelab-save-');
  const r = await backend.dispatcher.call('sender.open', {
    kind: 'tcp-server',
    host: '127.0.0.1',
    port: 0,
    framing: ftp,
    encoding: 'utf8',
    saveDir: dir,
    ...spec,
  } as never);
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  const port = String(Number(r.value.local.split(':').at(-1)));
  const until = async (check: () => boolean, what: string, ms = 20_000) => {
    const end = Date.now() + ms;
    while (!check()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; events: ${JSON.stringify(events.map((e) => [e.type, e.code, e.message]))}`);
      await new Promise((res) => setTimeout(res, 10));
    }
  };
  const notices = (code: string) => events.filter((e) => e.type === 'notice' && e.code === code);
  const errors = (code: string) => events.filter((e) => e.type === 'error' && e.code === code);
  return { backend, events, dir, port, id: r.value.id, until, notices, errors };
}

/** A file of random bytes (so a shifted or truncated copy cannot hash the same). */
async function randomFile(size: number, name = 'a.bin'): Promise<{ path: string; bytes: Buffer }> {
  const path = join(await tempDir('wirelab-src-'), name);
  const bytes = randomBytes(size);
  await writeFile(path, bytes);
  return { path, bytes };
}

describe('receive to disk (--save-dir)', () => {
  it("the FTP homework's advanced client uploads to Wirelab: saved under its name, sha256 the same, logged", async () => {
    const t = await setup();
    const src = await randomFile(100_024);
    const py = await runPeer('ftp_upload_client.py', ['127.0.0.1', t.port, src.path]);
    expect(py.stderr).toBe('');
    await t.until(() => t.notices('SENDER_SAVED').length === 1, 'SENDER_SAVED');
    const saved = await readFile(join(t.dir, 'a.bin'));
    expect(sha(saved)).toBe(sha(src.bytes));
    expect(t.notices('SENDER_SAVED')[0]).toMatchObject({ params: { name: 'a.bin', bytes: 100_024, sha256: sha(src.bytes) } });
    expect(t.notices('SENDER_SAVED')[0]!.message).toBe(`saved a.bin (100,024 bytes, sha256 ${sha(src.bytes)})`);
    // the log's message carries the header, not the body (which went to disk)
    expect(t.events.find((e) => e.type === 'message')).toMatchObject({ length: 0, header: { filename: 'a.bin', filesize: 100_024, operate: 'upload' } });
    expect(await readdir(t.dir)).toEqual(['a.bin']);
    await t.backend.dispose();
  });

  it('a header split across chunks (one byte per send), and header + body in one chunk, twice on one connection', async () => {
    const t = await setup();
    const src = await randomFile(50_000, 'b.bin');
    await runPeer('ftp_upload_client.py', ['127.0.0.1', t.port, src.path, '--mode', 'split']);
    await t.until(() => t.notices('SENDER_SAVED').length === 1, 'the split upload');
    await runPeer('ftp_upload_client.py', ['127.0.0.1', t.port, src.path, '--mode', 'one', '--count', '2']);
    await t.until(() => t.notices('SENDER_SAVED').length === 3, 'two uploads in one connection');
    // no overwrite unless asked: the same name twice more is numbered
    expect((await readdir(t.dir)).sort()).toEqual(['b (1).bin', 'b (2).bin', 'b.bin']);
    for (const name of ['b.bin', 'b (1).bin', 'b (2).bin']) expect(sha(await readFile(join(t.dir, name)))).toBe(sha(src.bytes));
    await t.backend.dispose();
  });

  it('a 0-byte body is saved as an empty file; --overwrite replaces one of the same name', async () => {
    const t = await setup({ overwrite: true });
    await writeFile(join(t.dir, 'empty.bin'), 'old contents');
    const src = await randomFile(0, 'empty.bin');
    await runPeer('ftp_upload_client.py', ['127.0.0.1', t.port, src.path]);
    await t.until(() => t.notices('SENDER_SAVED').length === 1, 'the empty upload');
    expect((await readFile(join(t.dir, 'empty.bin'))).length).toBe(0);
    expect(t.notices('SENDER_SAVED')[0]!.params).toMatchObject({ bytes: 0, sha256: sha(new Uint8Array(0)) });
    await t.backend.dispose();
  });

  it('`../` in a name never leaves the folder: the last component is used and the change is said', async () => {
    const t = await setup();
    const outside = join(t.dir, '..', 'escaped.bin');
    const src = await randomFile(1000, 'x.bin');
    await runPeer('ftp_upload_client.py', ['127.0.0.1', t.port, src.path, '--name', '../escaped.bin']);
    await runPeer('ftp_upload_client.py', ['127.0.0.1', t.port, src.path, '--name', '..']);
    await t.until(() => t.notices('SENDER_SAVED').length === 2, 'both uploads');
    expect(existsSync(outside)).toBe(false);
    expect((await readdir(t.dir)).sort()).toEqual(['escaped.bin', 'message-0001.bin']);
    expect(t.notices('SAVE_NAME_CHANGED').map((e) => e.params)).toEqual([
      { given: '../escaped.bin', name: 'escaped.bin', reason: 'dots', variant: 'dots' },
      { given: '..', name: 'message-0001.bin', reason: 'dots', variant: 'dots' },
    ]);
    await t.backend.dispose();
  });

  it('bad input from a peer: a named error, that connection closed, the session keeps running, saved files kept, no partial file named as whole', async () => {
    const t = await setup();
    const src = await randomFile(20_000, 'keep.bin');
    await runPeer('ftp_upload_client.py', ['127.0.0.1', t.port, src.path]);
    await t.until(() => t.notices('SENDER_SAVED').length === 1, 'the first upload');
    const frame = (json: string, body = Buffer.alloc(0)) => {
      const h = Buffer.from(json);
      const p = Buffer.alloc(4);
      p.writeInt32LE(h.length);
      return Buffer.concat([p, h, body]);
    };
    const rawPeer = (bytes: Buffer, endAfter = true) =>
      new Promise<void>((resolve) => {
        const c = connect(Number(t.port), '127.0.0.1', () => {
          c.write(bytes);
          if (endAfter) c.end();
        });
        c.on('error', () => undefined);
        c.on('close', () => resolve());
      });
    await rawPeer(frame('{"filename": "a.bin", "filesize": 3'));
    await t.until(() => t.errors('FRAME_BAD_HEADER').length === 1, 'a header that does not parse');
    await rawPeer(frame('{"filename": "a.bin", "filesize": -5}'));
    await rawPeer(frame('{"filename": "a.bin"}'));
    await t.until(() => t.errors('FRAME_BAD_HEADER').length === 3, 'a negative and a missing size');
    await rawPeer(frame(JSON.stringify({ filename: 'huge.bin', filesize: limits.senderSaveBytes + 1 })));
    await t.until(() => t.errors('FRAME_TOO_LARGE').length === 1, 'a size over the limit');
    // a transfer cut short: its .part is removed, nothing named cut.bin appears
    await runPeer('ftp_upload_client.py', ['127.0.0.1', t.port, src.path, '--name', 'cut.bin', '--cut', '5000']);
    await t.until(() => t.errors('FRAME_TRUNCATED').length === 1, 'a body cut short');
    expect(t.errors('FRAME_BAD_HEADER').map((e) => e.params?.['variant'])).toEqual(['json', 'size-key', 'size-key']);
    expect(t.errors('FRAME_TOO_LARGE')[0]!.params).toMatchObject({ max: limits.senderSaveBytes, closing: true });
    const end = Date.now() + 5000;
    while ((await readdir(t.dir)).some((n) => n.endsWith('.part')) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(await readdir(t.dir)).toEqual(['keep.bin']);
    // still running: another upload is saved
    await runPeer('ftp_upload_client.py', ['127.0.0.1', t.port, src.path, '--name', 'after.bin']);
    await t.until(() => t.notices('SENDER_SAVED').length === 2, 'an upload after the bad input');
    expect(sha(await readFile(join(t.dir, 'keep.bin')))).toBe(sha(src.bytes));
    expect(sha(await readFile(join(t.dir, 'after.bin')))).toBe(sha(src.bytes));
    await t.backend.dispose();
  });

  it('a save folder that does not exist is refused when the session opens, naming the field', async () => {
    const backend = await createBackend({ host: 'browser', dataDir: await tempDir() });
    const missing = join(await tempDir(), 'no', 'such');
    expect(
      await backend.dispatcher.call('sender.open', { kind: 'tcp-server', host: '127.0.0.1', port: 0, framing: ftp, encoding: 'utf8', saveDir: missing }),
    ).toMatchObject({ ok: false, error: { code: 'SAVE_DIR_MISSING', field: 'saveDir', params: { dir: missing } } });
    await backend.dispose();
  });

  it('a full disk (ENOSPC, a 1 MiB tmpfs in a mount namespace): named error, .part removed, the session keeps running', async () => {
    const probe = spawn('unshare', ['-rm', 'true']);
    const can = await new Promise<boolean>((r) => {
      probe.on('error', () => r(false));
      probe.on('exit', (code) => r(code === 0));
    });
    if (!can) {
      console.log('ENOSPC test skipped: unshare -rm (a user + mount namespace) is not allowed here');
      return;
    }
    const dir = await tempDir('wirelab-tiny-');
    const tiny = join(dir, 'tiny');
    await mkdir(tiny);
    // Wirelab runs inside the namespace, where `tiny` is a 1 MiB tmpfs; the network is the host's.
    const script = `mount -t tmpfs -o size=1m tmpfs '${tiny}' && exec '${process.execPath}' '${wirelabBin}' listen tcp 0 --frame header-json --size-key filesize --save-dir '${tiny}' --json --timeout 60000`;
    const child = spawn('unshare', ['-rm', 'sh', '-c', script], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const end = Date.now() + 30_000;
      while (!/"listening"/.test(out) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      const port = String((JSON.parse(out.split('\n').find((l) => l.includes('"listening"'))!) as { port: number }).port);
      const big = await randomFile(3 * 1024 * 1024, 'big.bin');
      await runPeer('ftp_upload_client.py', ['127.0.0.1', port, big.path]);
      const small = await randomFile(1000, 'small.bin');
      await runPeer('ftp_upload_client.py', ['127.0.0.1', port, small.path]);
      while (!/SENDER_SAVED/.test(out) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      const lines = out
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { event: string; code?: string; params?: Record<string, unknown> });
      expect(lines.find((l) => l.code === 'SAVE_DISK_FULL')).toMatchObject({ event: 'notice', params: { name: 'big.bin', dir: tiny } });
      // the next upload is saved whole: it fits only because the 1 MiB partial file was removed
      expect(lines.find((l) => l.code === 'SENDER_SAVED')).toMatchObject({ params: { name: 'small.bin', bytes: 1000, sha256: sha(small.bytes) } });
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }, 90_000);
});
