import { spawn } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readdir, readFile, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { projectRoot } from '../../../test/support/spawn-cli.ts';
import { JsonDataFile, loadJsonFile, removeStaleTemps, writeFileAtomic } from './json-file.ts';

const schema = z.object({ n: z.number() });
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wirelab-json-'));
});

describe('writeFileAtomic', () => {
  it('replaces the whole file and leaves no temporary file behind', async () => {
    const path = join(dir, 'nested', 'a.json');
    await writeFileAtomic(path, '{"n":1}');
    await writeFileAtomic(path, '{"n":2}');
    expect(await readFile(path, 'utf8')).toBe('{"n":2}');
    expect(await readdir(join(dir, 'nested'))).toEqual(['a.json']);
  });

  it('keeps concurrent writers from interleaving: the file is always one complete version', async () => {
    const path = join(dir, 'b.json');
    const big = (c: string) => JSON.stringify({ n: 1, pad: c.repeat(200_000) });
    await Promise.all(['x', 'y', 'z'].map((c) => writeFileAtomic(path, big(c))));
    const text = await readFile(path, 'utf8');
    expect([big('x'), big('y'), big('z')]).toContain(text);
  });
});

describe('loadJsonFile', () => {
  it('returns the fallback for a missing file', async () => {
    expect(await loadJsonFile(join(dir, 'none.json'), schema, { n: 7 })).toEqual({ value: { n: 7 }, recovered: null, unreadable: null });
  });

  it('reads a valid file', async () => {
    await writeFile(join(dir, 'ok.json'), '{"n":3}');
    expect((await loadJsonFile(join(dir, 'ok.json'), schema, { n: 0 })).value).toEqual({ n: 3 });
  });

  it('moves a file that is not JSON aside, keeps its bytes, and says why', async () => {
    const path = join(dir, 's.json');
    await writeFile(path, '{"n": 1,,,');
    const r = await loadJsonFile(path, schema, { n: 0 });
    expect(r.value).toEqual({ n: 0 });
    expect(r.recovered?.reason).toMatch(/not valid JSON/);
    expect(r.recovered?.backupPath).toMatch(/s\.json\.corrupt-\d{4}-\d\d-\d\dT/);
    expect(await readFile(r.recovered!.backupPath, 'utf8')).toBe('{"n": 1,,,');
    expect((await readdir(dir)).includes('s.json')).toBe(false);
  });

  it('moves a file of the wrong shape aside and names the field', async () => {
    const path = join(dir, 'w.json');
    await writeFile(path, '{"n":"three"}');
    const r = await loadJsonFile(path, schema, { n: 0 });
    expect(r.recovered?.reason).toMatch(/^n: /);
  });
});

/**
 * Starts a real atomic save in another process that never finishes writing (its data is an
 * endless stream), waits until the temp file exists, and SIGKILLs it: what a crash mid-save leaves.
 */
async function killedMidSave(path: string): Promise<string> {
  const script = join(dir, 'writer.mts');
  await writeFile(
    script,
    `import { writeFileAtomic } from ${JSON.stringify(pathToFileURL(join(projectRoot, 'electron/services/storage/json-file.ts')).href)};
async function* endless() { yield '{"n":'; await new Promise(() => setInterval(() => {}, 1000)); }
void writeFileAtomic(${JSON.stringify(path)}, endless() as never);`,
  );
  const child = spawn(process.execPath, [join(projectRoot, 'bin/run-ts.mjs'), script], { stdio: 'ignore' });
  try {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const temps = (await readdir(dir)).filter((f) => f.endsWith('.tmp'));
      if (temps.length > 0) return temps[0]!;
      if (Date.now() > deadline) throw new Error('the writer never created its temp file');
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
  }
}

describe('leftovers of interrupted saves', () => {
  it('removes the temp file a killed save left behind at the next load, and keeps the previous version', async () => {
    const path = join(dir, 'settings.json');
    await writeFile(path, '{"n":1}');
    const temp = await killedMidSave(path);
    expect(temp).toMatch(/^\.settings\.json\.\d+\.[0-9a-f]{8}\.tmp$/);
    expect(await readFile(join(dir, temp), 'utf8')).toBe('{"n":');
    // Not ours, or a live writer's: left alone. (This test's own process is alive; the parent too.)
    const others = ['settings.json.tmp', '.settings.json.tmp', `.settings.json.${process.ppid}.0123abcd.tmp`, '.other.json.1.0123abcd.tmp'];
    for (const f of others) await writeFile(join(dir, f), 'keep');
    expect((await loadJsonFile(path, schema, { n: 0 })).value).toEqual({ n: 1 });
    const left = await readdir(dir);
    expect(left).not.toContain(temp);
    expect(left).toEqual(expect.arrayContaining(['settings.json', ...others]));
  }, 60_000);

  it('removes a temp of a live process once it is older than any save takes', async () => {
    const path = join(dir, 'packets.json');
    const name = `.packets.json.${process.ppid}.0123abcd.tmp`;
    await writeFile(join(dir, name), 'x');
    expect(await removeStaleTemps(path)).toEqual([]);
    const hourAgo = new Date(Date.now() - 3600_000);
    await utimes(join(dir, name), hourAgo, hourAgo);
    expect(await removeStaleTemps(path)).toEqual([name]);
  });
});

describe('a data file that cannot be read', () => {
  it.each([
    ['a directory', 'EISDIR', (p: string) => mkdir(p)],
    ['a symlink loop', 'ELOOP', (p: string) => symlink(p, p)],
  ])('%s: defaults, reported with its errno code, left exactly as it is, and a save is a typed error', async (_what, code, make) => {
    const path = join(dir, 'settings.json');
    await make(path);
    const before = await lstat(path);
    const file = new JsonDataFile(path, schema, { n: 0 });
    const r = await file.load();
    expect(r).toMatchObject({ value: { n: 0 }, recovered: null, unreadable: { code } });
    await expect(file.write('{"n":2}')).rejects.toMatchObject({
      code: 'DATA_FILE_UNWRITABLE',
      params: { path, reason: code },
      message: expect.stringContaining(path),
    });
    const after = await lstat(path);
    expect([after.ino, after.mode, after.isDirectory(), after.isSymbolicLink()]).toEqual([
      before.ino,
      before.mode,
      before.isDirectory(),
      before.isSymbolicLink(),
    ]);
    expect((await readdir(dir)).filter((f) => f !== 'settings.json')).toEqual([]);
  });

  it('writes again once the obstacle has been removed', async () => {
    const path = join(dir, 'settings.json');
    await mkdir(path);
    const file = new JsonDataFile(path, schema, { n: 0 });
    await file.load();
    const { rm } = await import('node:fs/promises');
    await rm(path, { recursive: true });
    await file.write('{"n":3}');
    expect(await readFile(path, 'utf8')).toBe('{"n":3}');
  });
});
