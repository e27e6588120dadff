import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

// Folders follow DESIGN.md; electron-vite's defaults (src/main …) do not apply here.
export default defineConfig({
  main: {
    // Worker threads are entries of their own: out/main/generator-worker.js, sampler-worker.js.
    build: {
      lib: {
        entry: {
          index: resolve('electron/main/index.ts'),
          'generator-worker': resolve('electron/services/sender/generator-worker.ts'),
          'sampler-worker': resolve('electron/services/processes/sampler-worker.ts'),
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
