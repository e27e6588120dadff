import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadJsonFile, writeFileAtomic } from './json-file.ts';

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
