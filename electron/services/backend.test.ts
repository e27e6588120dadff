import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBackend } from './backend.ts';

async function dataDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'wirelab-backend-'));
}

describe('backend', () => {
  it('persists settings atomically and reads them back in a new backend', async () => {
    const dir = await dataDir();
    const a = await createBackend({ host: 'browser', dataDir: dir });
    expect(await a.dispatcher.call('settings.update', { language: 'zh-CN', theme: 'dark' })).toMatchObject({
      ok: true,
      value: { language: 'zh-CN', theme: 'dark' },
    });
    await a.dispose();
    expect(JSON.parse(await readFile(join(dir, 'settings.json'), 'utf8'))).toMatchObject({ language: 'zh-CN', theme: 'dark' });
    const b = await createBackend({ host: 'browser', dataDir: dir });
    expect(await b.dispatcher.call('settings.get', {})).toEqual({
      ok: true,
      value: { language: 'zh-CN', theme: 'dark', lastPanel: 'sender', senderLogCapacity: 100_000, processColumns: { hidden: [], widths: {} } },
    });
  });

  it('keeps the last of many quick updates on disk', async () => {
    const dir = await dataDir();
    const a = await createBackend({ host: 'browser', dataDir: dir });
    await Promise.all((['sender', 'subnet', 'timeline', 'processes'] as const).map((p) => a.dispatcher.call('settings.update', { lastPanel: p })));
    expect(JSON.parse(await readFile(join(dir, 'settings.json'), 'utf8')).lastPanel).toBe('processes');
  });

  it('moves a corrupt settings file aside and tells the user through app.info', async () => {
    const dir = await dataDir();
    await writeFile(join(dir, 'settings.json'), 'language = zh-CN\n');
    const b = await createBackend({ host: 'electron', dataDir: dir });
    const info = await b.dispatcher.call('app.info', {});
    expect(info.ok).toBe(true);
    if (!info.ok) return;
    expect(info.value.host).toBe('electron');
    expect(info.value.notices).toHaveLength(1);
    expect(info.value.notices[0]).toMatchObject({ level: 'warning', code: 'SETTINGS_CORRUPT' });
    const files = await readdir(dir);
    const backup = files.find((f) => f.startsWith('settings.json.corrupt-'));
    expect(backup).toBeDefined();
    expect(info.value.notices[0]!.message).toContain(backup!);
    expect(await readFile(join(dir, backup!), 'utf8')).toBe('language = zh-CN\n');
    // dismissing removes it for the next window
    expect(await b.dispatcher.call('app.dismissNotice', { id: info.value.notices[0]!.id })).toEqual({ ok: true, value: { dismissed: true } });
    expect(await b.dispatcher.call('app.info', {})).toMatchObject({ ok: true, value: { notices: [] } });
  });

  it('fills keys missing from an older settings file instead of calling it corrupt', async () => {
    const dir = await dataDir();
    await writeFile(join(dir, 'settings.json'), '{"theme":"light"}');
    const b = await createBackend({ host: 'browser', dataDir: dir });
    expect(await b.dispatcher.call('settings.get', {})).toEqual({
      ok: true,
      value: { language: 'system', theme: 'light', lastPanel: 'sender', senderLogCapacity: 100_000, processColumns: { hidden: [], widths: {} } },
    });
    expect(b.notices.list()).toEqual([]);
  });
});
