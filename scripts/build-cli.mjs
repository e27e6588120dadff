// Builds the `wirelab` command into plain JavaScript: out/cli/wirelab.mjs, so an installed
// Wirelab (and Node on any OS, Windows included) runs the CLI without tsx or esbuild, which are
// native per platform. One ESM file per entry, everything bundled but koffi: koffi is a native,
// optional dependency loaded with createRequire only where it is used (the Win32 route, UDP
// batching), so it stays a package resolved from node_modules at run time.
// The worker threads are entries of their own beside it (worker-start.ts looks for
// <name>.mjs next to the bundle that starts them), and the files that programs run as files —
// the child guard and the concurrency lab's model servers — are copied next to it.
// Run by `npm run build` (electron-vite's config calls it after the main bundle).
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

export async function buildCli(outdir = join(root, 'out/cli')) {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: {
      wirelab: 'electron/cli/index.ts',
      'generator-worker': 'electron/services/sender/generator-worker.ts',
      'sampler-worker': 'electron/services/processes/sampler-worker.ts',
      'load-worker': 'electron/services/concurrency/load-worker.ts',
    },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['koffi'],
    // CommonJS dependencies bundled into ESM (ws, iconv-lite) call require() for Node's own
    // modules; ESM has no require, so each file gets one of its own.
    banner: { js: "import { createRequire as __wirelabRequire } from 'node:module'; const require = __wirelabRequire(import.meta.url);" },
    metafile: true,
    logLevel: 'warning',
    legalComments: 'none',
  });
  cpSync(join(root, 'electron/services/app/child-guard-program.mjs'), join(outdir, 'child-guard-program.mjs'));
  cpSync(join(root, 'electron/services/concurrency/servers'), join(outdir, 'servers'), { recursive: true });
  // Which source files went in: bin/wirelab.mjs in a source checkout takes the bundle only while
  // none of them is newer, so an edited .ts never runs as its stale build.
  const inputs = Object.keys(result.metafile.inputs)
    .filter((p) => !p.includes('node_modules'))
    .map((p) => relative(root, join(root, p)));
  writeFileSync(join(outdir, 'inputs.json'), JSON.stringify(inputs));
  return outdir;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = Date.now();
  const dir = await buildCli();
  console.log(`wirelab CLI built into ${relative(root, dir)} (${Date.now() - started} ms)`);
}
