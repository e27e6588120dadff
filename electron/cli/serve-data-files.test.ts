import { lstat, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startNode, stop, wirelabBin } from '../../test/support/spawn-cli.ts';
import { tempDir } from '../../test/support/temp-dir.ts';

/** A WebSocket client of a real `wirelab serve`, authenticated as the UI is (the token cookie). */
async function connect(url: string): Promise<{ call: (command: string, input: unknown) => Promise<Record<string, unknown>>; close: () => void }> {
  const { port, searchParams } = new URL(url);
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { cookie: `wirelab_token_${port}=${searchParams.get('token')}` } });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
  });
  let next = 1;
  const call = (command: string, input: unknown) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => reject(new Error(`${command}: no reply`)), 15_000);
      const onMessage = (data: Buffer) => {
        const msg = JSON.parse(data.toString()) as Record<string, unknown>;
        if (msg.type === 'result' && msg.id === id) {
          clearTimeout(timer);
          ws.off('message', onMessage);
          resolve(msg);
        }
      };
      ws.on('message', onMessage);
      ws.send(JSON.stringify({ type: 'invoke', id, command, input }));
    });
  return { call, close: () => ws.close() };
}

describe('serve with a data file that cannot be read', () => {
  it('a directory where settings.json and packets.json belong: serve starts on defaults, lists a notice naming each, leaves them alone, and a save answers a typed error', async () => {
    const dataDir = await tempDir();
    const settingsPath = join(dataDir, 'settings.json');
    const packetsPath = join(dataDir, 'packets.json');
    await mkdir(settingsPath);
    await mkdir(packetsPath);
    const { child, line } = await startNode([wirelabBin, 'serve', '--json', '--port', '0', '--data-dir', dataDir], /"event":"listening"/);
    try {
      const client = await connect((JSON.parse(line) as { url: string }).url);
      const info = await client.call('app.info', {});
      expect(info).toMatchObject({ ok: true });
      const notices = (info.value as { notices: { code: string; params?: Record<string, unknown>; message: string }[] }).notices;
      expect(notices).toEqual([
        expect.objectContaining({
          code: 'DATA_FILE_UNREADABLE',
          params: { path: settingsPath, reason: 'EISDIR', file: 'settings' },
          message: expect.stringContaining(settingsPath),
        }),
        expect.objectContaining({
          code: 'DATA_FILE_UNREADABLE',
          params: { path: packetsPath, reason: 'EISDIR', file: 'packets' },
          message: expect.stringContaining(packetsPath),
        }),
      ]);
      expect(await client.call('settings.get', {})).toMatchObject({ ok: true, value: { language: 'system', theme: 'system' } });
      expect(await client.call('settings.update', { theme: 'dark' })).toMatchObject({
        ok: false,
        error: { code: 'DATA_FILE_UNWRITABLE', params: { path: settingsPath, reason: 'EISDIR' } },
      });
      // A refused save changes nothing, in memory either.
      expect(await client.call('settings.get', {})).toMatchObject({ ok: true, value: { theme: 'system' } });
      const payload = { mode: 'text', text: 'hi', encoding: 'utf8', lineEnding: 'none' };
      expect(await client.call('packets.save', { name: 'p', kind: 'any', framing: 'raw', payload })).toMatchObject({
        ok: false,
        error: { code: 'DATA_FILE_UNWRITABLE', params: { path: packetsPath } },
      });
      expect(await client.call('packets.list', {})).toEqual(expect.objectContaining({ ok: true, value: [] }));
      client.close();
      expect(child.exitCode).toBeNull();
    } finally {
      expect(await stop(child)).toBe(0);
    }
    expect((await lstat(settingsPath)).isDirectory()).toBe(true);
    expect((await lstat(packetsPath)).isDirectory()).toBe(true);
    expect((await readdir(dataDir)).sort()).toEqual(['packets.json', 'settings.json']);
  }, 60_000);
});
