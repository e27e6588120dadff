import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../../scripts/build-cli.mjs';
import { runNode, runWirelab, startNode, stop } from '../../test/support/spawn-cli.ts';
import { tempDir } from '../../test/support/temp-dir.ts';

/**
 * The built CLI as an installed package has it: bin/wirelab.mjs, package.json and out/cli in a
 * folder with no node_modules anywhere above it (a temp dir), so neither tsx nor esbuild — nor
 * any dependency but koffi, which Linux never loads — can be found there.
 */
const repo = fileURLToPath(new URL('../..', import.meta.url));

describe('the wirelab bundle (out/cli/wirelab.mjs)', () => {
  let pkg: string;
  beforeAll(async () => {
    pkg = await tempDir();
    mkdirSync(join(pkg, 'bin'));
    copyFileSync(join(repo, 'bin/wirelab.mjs'), join(pkg, 'bin/wirelab.mjs'));
    copyFileSync(join(repo, 'package.json'), join(pkg, 'package.json'));
    await buildCli(join(pkg, 'out/cli'));
  }, 120_000);
  afterAll(() => {
    if (pkg) rmSync(pkg, { recursive: true, force: true });
  });

  it('finds its worker threads beside it: wirelab load runs on the bundled load-worker', async () => {
    // A line echo server, the lab models' framing.
    const server = createServer((s) => s.pipe(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      const r = await runNode(
        [join(pkg, 'bin/wirelab.mjs'), 'load', 'tcp', '127.0.0.1', String(port), '--conns', '2', '--size', '16', '--count', '50', '--json'],
        60_000,
      );
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ connections: 2, failed: 0, requests: 50 });
    } finally {
      server.close();
    }
  }, 120_000);

  it('runs on plain Node with no node_modules: calc, timeline FILE and ps print what the source CLI prints', async () => {
    const fixture = join(repo, 'test/fixtures/captures/lo-normal.pcap');
    for (const args of [
      ['calc', '10.1.2.3/20', '--json'],
      ['timeline', fixture, '--json'],
    ]) {
      const [built, source] = await Promise.all([runNode([join(pkg, 'bin/wirelab.mjs'), ...args], 60_000), runWirelab(args, 60_000)]);
      expect(built.code, built.stderr).toBe(0);
      expect(JSON.parse(built.stdout)).toEqual(JSON.parse(source.stdout));
    }
    // ps starts no worker, but reads /proc through the bundled sampler; its own row is there.
    const ps = await runNode([join(pkg, 'bin/wirelab.mjs'), 'ps', '--json', '--interval', '100'], 60_000);
    expect(ps.code, ps.stderr).toBe(0);
    const rows = (JSON.parse(ps.stdout) as { processes: { command: string }[] }).processes;
    expect(rows.some((r) => r.command.includes(join(pkg, 'bin/wirelab.mjs')))).toBe(true);
  }, 120_000);

  it('the npm package (npm pack) carries the bundle and the UI, no sources, and runs with no tsx or any node_modules', async () => {
    // What `npx wirelab` downloads: package.json "files" over the built tree (npm test builds it first).
    if (!existsSync(join(repo, 'out/cli/wirelab.mjs'))) throw new Error('out/cli is not built; run "npm run build" first (npm test does)');
    const dest = await tempDir();
    try {
      const [packed] = JSON.parse(
        execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dest, '--loglevel=error'], { cwd: repo, encoding: 'utf8' }),
      ) as { filename: string; files: { path: string }[] }[];
      const files = packed!.files.map((f) => f.path);
      expect(files).toEqual(expect.arrayContaining(['bin/wirelab.mjs', 'out/cli/wirelab.mjs', 'out/cli/sampler-worker.mjs', 'out/renderer/index.html']));
      expect(files.filter((f) => f.endsWith('.ts'))).toEqual([]);
      execFileSync('tar', ['-xzf', join(dest, packed!.filename), '-C', dest]);
      const bin = join(dest, 'package/bin/wirelab.mjs');
      const calc = await runNode([bin, 'calc', '192.168.1.9/24', '--json'], 60_000);
      expect(calc.code, calc.stderr).toBe(0);
      expect(JSON.parse(calc.stdout)).toMatchObject({ network: '192.168.1.0', broadcast: '192.168.1.255' });
      // serve finds the UI beside the bundle and serves its page.
      const data = join(dest, 'data');
      const served = await startNode([bin, 'serve', '--json', '--port', '0', '--data-dir', data], /"listening"/, 60_000);
      try {
        // The token URL trades the token for a cookie (a redirect), then the page is served.
        const url = new URL((JSON.parse(served.line) as { url: string }).url);
        const door = await fetch(url, { redirect: 'manual' });
        const cookie = (door.headers.get('set-cookie') ?? '').split(';')[0]!;
        const page = await fetch(new URL('/', url), { headers: { cookie } });
        expect(page.status).toBe(200);
        expect(await page.text()).toMatch(/<html/);
      } finally {
        await stop(served.child);
      }
    } finally {
      rmSync(dest, { recursive: true, force: true });
    }
  }, 120_000);

  it('without the bundle and without tsx, says in one line what to run (exit 2)', async () => {
    const bare = await tempDir();
    try {
      mkdirSync(join(bare, 'bin'));
      copyFileSync(join(repo, 'bin/wirelab.mjs'), join(bare, 'bin/wirelab.mjs'));
      writeFileSync(join(bare, 'package.json'), JSON.stringify({ name: 'wirelab', type: 'module' }));
      const r = await runNode([join(bare, 'bin/wirelab.mjs'), 'calc', '10.0.0.0/8'], 60_000);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toEqual([
        'wirelab: the built command (out/cli/wirelab.mjs) is missing, and tsx, which runs the sources, is not installed; run "npm run build" (or "npm install" in a checkout)',
      ]);
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  }, 120_000);

  it('in a source checkout, a source file newer than the bundle sends it back to tsx (here: none, so it fails loudly)', async () => {
    mkdirSync(join(pkg, 'electron/cli'), { recursive: true });
    writeFileSync(join(pkg, 'electron/cli/index.ts'), '');
    // inputs.json lists what went into the bundle: touch one of them after the build.
    const one = (await import(join(pkg, 'out/cli/inputs.json'), { with: { type: 'json' } })).default[0] as string;
    mkdirSync(join(pkg, one, '..'), { recursive: true });
    writeFileSync(join(pkg, one), '');
    const future = new Date(Date.now() + 60_000);
    utimesSync(join(pkg, one), future, future);
    const stale = await runNode([join(pkg, 'bin/wirelab.mjs'), 'calc', '10.0.0.0/8', '--json'], 60_000);
    expect(stale.code).not.toBe(0);
    expect(stale.stderr).toMatch(/tsx/);
    // WIRELAB_CLI=bundle takes the bundle all the same.
    const forced = await runNode([join(pkg, 'bin/wirelab.mjs'), 'calc', '10.0.0.0/8', '--json'], 60_000, { ...process.env, WIRELAB_CLI: 'bundle' });
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ cidr: '10.0.0.0/8' });
  }, 120_000);
});
