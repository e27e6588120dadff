import { cpSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import { buildCli } from './scripts/build-cli.mjs';

// The concurrency lab's model servers are programs python3 and node run from files: copy them
// next to the bundle (out/main/servers), where concurrency-service.ts looks for them.
const copyModelServers = {
  name: 'wirelab-copy-model-servers',
  writeBundle(options: { dir?: string }) {
    cpSync(resolve('electron/services/concurrency/servers'), resolve(options.dir ?? 'out/main', 'servers'), { recursive: true });
  },
};

// The `wirelab` command as plain JavaScript (out/cli/wirelab.mjs), built with the app so the two
// never differ; its own script because it is a Node program, not an Electron one.
const buildCliBundle = {
  name: 'wirelab-build-cli',
  async closeBundle() {
    await buildCli();
  },
};

// Folders follow DESIGN.md; electron-vite's defaults (src/main …) do not apply here.
export default defineConfig({
  main: {
    plugins: [copyModelServers, buildCliBundle],
    // Worker threads are entries of their own: out/main/generator-worker.js, sampler-worker.js, load-worker.js.
    build: {
      lib: {
        entry: {
          index: resolve('electron/main/index.ts'),
          'generator-worker': resolve('electron/services/sender/generator-worker.ts'),
          'sampler-worker': resolve('electron/services/processes/sampler-worker.ts'),
          'load-worker': resolve('electron/services/concurrency/load-worker.ts'),
        },
      },
    },
  },
  preload: {
    // A sandboxed preload runs as plain CommonJS without ESM support: bundle it into one CJS file.
    build: {
      lib: { entry: resolve('electron/preload/index.ts') },
      isolatedEntries: true,
      externalizeDeps: false,
      rolldownOptions: { output: { format: 'cjs' } },
    },
  },
  renderer: {
    root: 'renderer',
    build: { rolldownOptions: { input: resolve('renderer/index.html') } },
    plugins: [react()],
  },
});
