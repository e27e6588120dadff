import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // The only mock in the suite: the Electron binary cannot run here, and requiring the real
    // package would try to download it. Everything else in tests is real.
    alias: { electron: fileURLToPath(new URL('./test/support/electron-fake.ts', import.meta.url)) },
  },
  test: {
    include: ['{shared,electron,renderer,test,scripts}/**/*.test.{ts,tsx}'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
  },
});
