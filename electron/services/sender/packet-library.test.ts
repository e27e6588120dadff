import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { limits } from '../../../shared/contract/limits.ts';
import type { PacketLibrary } from '../../../shared/contract/packets.ts';
import { tempDir } from '../../../test/support/temp-dir.ts';
import { createBackend } from '../backend.ts';
import { PacketLibraryService } from './packet-library.ts';

const payload = { mode: 'text' as const, text: '你好', encoding: 'utf8' as const, lineEnding: 'crlf' as const };

describe('saved packets', () => {
  it('saves atomically, survives a restart, exports and imports', async () => {
    const dir = await tempDir();
    const a = await createBackend({ host: 'browser', dataDir: dir });
    const saved = await a.dispatcher.call('packets.save', { name: 'hello', kind: 'tcp', framing: 'len32le', payload });
    expect(saved.ok).toBe(true);
    expect(JSON.parse(await readFile(join(dir, 'packets.json'), 'utf8'))).toMatchObject({
      format: 'wirelab-packets',
      version: 1,
      packets: [{ name: 'hello', framing: 'len32le' }],
    });
    const exported = await a.dispatcher.call('packets.export', {});
    const b = await createBackend({ host: 'browser', dataDir: dir });
    expect(await b.dispatcher.call('packets.list', {})).toMatchObject({ ok: true, value: [{ name: 'hello', payload }] });
    if (!exported.ok) throw new Error('export failed');
    expect(await b.dispatcher.call('packets.import', { json: exported.value.json })).toEqual({ ok: true, value: { added: 1 } });
    const list = await b.dispatcher.call('packets.list', {});
    expect(list.ok && list.value.map((p) => p.name)).toEqual(['hello', 'hello']);
    expect(list.ok && new Set(list.value.map((p) => p.id)).size).toBe(2);
    expect(await b.dispatcher.call('packets.save', { name: '  ', kind: 'any', framing: 'raw', payload })).toMatchObject({
      ok: false,
      error: { field: 'name' },
    });
  });

  it('refuses an import that is not a library, keeping the library as it was', async () => {
    const b = await createBackend({ host: 'browser', dataDir: await tempDir() });
    expect(await b.dispatcher.call('packets.import', { json: '{"packets": 3' })).toMatchObject({
      ok: false,
      error: { field: 'file', message: expect.stringContaining('not JSON') },
    });
    expect(await b.dispatcher.call('packets.import', { json: '{"format":"other"}' })).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('not a Wirelab packet library') },
    });
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

/** An exported library of `n` small packets, as another Wirelab would have written it. */
function libraryOf(n: number): string {
  const packets = Array.from({ length: n }, (_, i) => ({
    id: `p${i}`,
    name: `packet ${i}`,
    kind: 'udp' as const,
    framing: 'raw' as const,
    payload: { ...payload, text: `hello ${i}` },
    savedAt: '2026-01-01T00:00:00.000Z',
  }));
  return JSON.stringify({ format: 'wirelab-packets', version: 1, packets } satisfies Omit<PacketLibrary, 'scripts'>, null, 2);
}

const overCount = {
  ok: false,
  error: {
    code: 'LIMIT_EXCEEDED',
    field: 'file',
    params: { limit: 'packetLibraryPackets', max: limits.packetLibraryPackets },
    message: expect.stringMatching(/^file: .*at most 10,000 \(limit packetLibraryPackets\)/),
  },
};

describe('the packet library keeps to what its next start can load', () => {
  it('refuses a second 6,000-packet import (LIMIT_EXCEEDED, nothing changed), and the next start loads the library without calling it corrupt', async () => {
    const dir = await tempDir();
    const a = await createBackend({ host: 'browser', dataDir: dir });
    const doc = libraryOf(6000);
    expect(await a.dispatcher.call('packets.import', { json: doc })).toEqual({ ok: true, value: { added: 6000 } });
    const onDisk = await readFile(join(dir, 'packets.json'), 'utf8');
    expect(await a.dispatcher.call('packets.import', { json: doc })).toMatchObject(overCount);
    const list = await a.dispatcher.call('packets.list', {});
    expect(list.ok && list.value.length).toBe(6000);
    expect(await readFile(join(dir, 'packets.json'), 'utf8')).toBe(onDisk);
    await a.dispose();

    const b = await createBackend({ host: 'browser', dataDir: dir });
    expect(b.notices.list()).toEqual([]);
    const reloaded = await b.dispatcher.call('packets.list', {});
    expect(reloaded.ok && reloaded.value.length).toBe(6000);
    expect((await readdir(dir)).filter((f) => f.includes('corrupt'))).toEqual([]);
    await b.dispose();
  }, 60_000);

  it('a full library (10,000 packets) exports and imports again, through the service and through the dispatcher; one more packet is refused', async () => {
    const service = new PacketLibraryService(await tempDir());
    await service.load();
    expect(await service.importJson(libraryOf(limits.packetLibraryPackets))).toBe(limits.packetLibraryPackets);
    const exported = service.exportJson();
    const again = new PacketLibraryService(await tempDir());
    await again.load();
    expect(await again.importJson(exported)).toBe(limits.packetLibraryPackets);
    await expect(again.save({ name: 'one more', kind: 'any', framing: 'raw', payload })).rejects.toMatchObject({
      code: 'LIMIT_EXCEEDED',
      params: { limit: 'packetLibraryPackets' },
    });
    expect(again.list()).toHaveLength(limits.packetLibraryPackets);

    const dir = await tempDir();
    const b = await createBackend({ host: 'browser', dataDir: dir });
    expect(await b.dispatcher.call('packets.import', { json: exported })).toEqual({ ok: true, value: { added: limits.packetLibraryPackets } });
    const reExported = await b.dispatcher.call('packets.export', {});
    if (!reExported.ok) throw new Error('export failed');
    await b.dispose();
    const c = await createBackend({ host: 'browser', dataDir: await tempDir() });
    expect(await c.dispatcher.call('packets.import', { json: reExported.value.json })).toEqual({ ok: true, value: { added: limits.packetLibraryPackets } });
    // A document over the count is refused as a whole, naming the same limit.
    expect(await c.dispatcher.call('packets.import', { json: libraryOf(limits.packetLibraryPackets + 1) })).toMatchObject(overCount);
    await c.dispose();
    // The next start of the full library loads it.
    const d = await createBackend({ host: 'browser', dataDir: dir });
    expect(d.notices.list()).toEqual([]);
    await d.dispose();
  }, 120_000);

  it('whatever save accepts, the export imports again: at the size limit the save that would pass it is refused', async () => {
    const dir = await tempDir();
    const a = await createBackend({ host: 'browser', dataDir: dir });
    // Almost the whole document in one payload (the composer accepts as much), then small ones.
    const big = { ...payload, text: 'x'.repeat(limits.packetLibraryChars - 4096) };
    expect(await a.dispatcher.call('packets.save', { name: 'big', kind: 'any', framing: 'raw', payload: big })).toMatchObject({ ok: true });
    let refused: unknown = null;
    for (let i = 0; i < 20 && !refused; i++) {
      const r = await a.dispatcher.call('packets.save', { name: `small ${i}`, kind: 'any', framing: 'raw', payload: { ...payload, text: 'y'.repeat(500) } });
      if (!r.ok) refused = r;
    }
    expect(refused).toMatchObject({
      ok: false,
      error: {
        code: 'LIMIT_EXCEEDED',
        field: 'file',
        params: { limit: 'packetLibraryChars', max: limits.packetLibraryChars },
        message: expect.stringContaining('(limit packetLibraryChars)'),
      },
    });
    const exported = await a.dispatcher.call('packets.export', {});
    if (!exported.ok) throw new Error('export failed');
    expect(exported.value.json.length).toBeLessThanOrEqual(limits.packetImportChars);
    expect(exported.value.json.length).toBeGreaterThan(limits.packetLibraryChars - 4096);
    const count = ((await a.dispatcher.call('packets.list', {})) as { value: unknown[] }).value.length;
    await a.dispose();
    const b = await createBackend({ host: 'browser', dataDir: await tempDir() });
    expect(await b.dispatcher.call('packets.import', { json: exported.value.json })).toEqual({ ok: true, value: { added: count } });
    await b.dispose();
  }, 60_000);

  it('a document longer than the import limit is refused with LIMIT_EXCEEDED naming packetImportChars', async () => {
    const b = await createBackend({ host: 'browser', dataDir: await tempDir() });
    const r = await b.dispatcher.call('packets.import', { json: ' '.repeat(limits.packetImportChars + 1) });
    expect(r).toMatchObject({
      ok: false,
      error: {
        code: 'LIMIT_EXCEEDED',
        field: 'json',
        params: { limit: 'packetImportChars', max: limits.packetImportChars },
        message: 'file: at most 16 MiB of JSON per import (limit packetImportChars)',
      },
    });
    await b.dispose();
  });
});
