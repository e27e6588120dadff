import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.ts';
import { createBackend } from '../backend.ts';

const payload = { mode: 'text' as const, text: '你好', encoding: 'utf8' as const, lineEnding: 'crlf' as const };

describe('saved packets', () => {
  it('saves atomically, survives a restart, exports and imports', async () => {
    const dir = await tempDir();
    const a = await createBackend({ host: 'browser', dataDir: dir });
    const saved = await a.dispatcher.call('packets.save', { name: 'hello', kind: 'tcp', framing: 'len32le', payload });
    expect(saved.ok).toBe(true);
    expect(JSON.parse(await readFile(join(dir, 'packets.json'), 'utf8'))).toMatchObject({ format: 'wirelab-packets', version: 1, packets: [{ name: 'hello', framing: 'len32le' }] });
    const exported = await a.dispatcher.call('packets.export', {});
    const b = await createBackend({ host: 'browser', dataDir: dir });
    expect(await b.dispatcher.call('packets.list', {})).toMatchObject({ ok: true, value: [{ name: 'hello', payload }] });
    if (!exported.ok) throw new Error('export failed');
    expect(await b.dispatcher.call('packets.import', { json: exported.value.json })).toEqual({ ok: true, value: { added: 1 } });
    const list = await b.dispatcher.call('packets.list', {});
    expect(list.ok && list.value.map((p) => p.name)).toEqual(['hello', 'hello']);
    expect(list.ok && new Set(list.value.map((p) => p.id)).size).toBe(2);
    expect(await b.dispatcher.call('packets.save', { name: '  ', kind: 'any', framing: 'raw', payload })).toMatchObject({ ok: false, error: { field: 'name' } });
  });

  it('refuses an import that is not a library, keeping the library as it was', async () => {
    const b = await createBackend({ host: 'browser', dataDir: await tempDir() });
    expect(await b.dispatcher.call('packets.import', { json: '{"packets": 3' })).toMatchObject({ ok: false, error: { field: 'file', message: expect.stringContaining('not JSON') } });
    expect(await b.dispatcher.call('packets.import', { json: '{"format":"other"}' })).toMatchObject({ ok: false, error: { message: expect.stringContaining('not a Wirelab packet library') } });
    expect(await b.dispatcher.call('packets.list', {})).toEqual({ ok: true, value: [] });
  });

  it('backs up a corrupt library file and says so', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'packets.json'), '{"format":"wirelab-packets","version":1,"packets":[{"name":1}]}');
    const b = await createBackend({ host: 'browser', dataDir: dir });
    expect(b.notices.list()).toMatchObject([{ code: 'PACKETS_CORRUPT' }]);
    expect((await readdir(dir)).some((f) => f.startsWith('packets.json.corrupt-'))).toBe(true);
  });
});
