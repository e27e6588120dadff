import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { projectRoot, startNode, stop } from '../test/support/spawn-cli.ts';
import { tempDir } from '../test/support/temp-dir.ts';
import { findElectronBinary } from './electron-binary.mjs';

describe('npm start', () => {
  it('without an Electron binary says so in one sentence and starts the browser host instead', async () => {
    // Point the override at an empty folder so this holds even on a machine that has the binary.
    const empty = await tempDir('wirelab-no-electron-');
    const env = { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: empty };
    expect(findElectronBinary(env).path).toBeNull();
    const { child, output } = await startNode(
      [join(projectRoot, 'scripts', 'start.mjs'), '--data-dir', await tempDir()],
      /serving at http:\/\/127\.0\.0\.1:\d+\/\?token=/,
      60_000,
      env,
    );
    const lines = output().trim().split('\n');
    expect(lines[0]).toMatch(
      /^Wirelab cannot open its desktop window because ELECTRON_OVERRIDE_DIST_PATH is set but .* does not exist, so it is starting the browser host instead/,
    );
    expect(output()).not.toMatch(/\n\s+at /);
    expect(await stop(child)).not.toBeNull();
  }, 90_000);
});
