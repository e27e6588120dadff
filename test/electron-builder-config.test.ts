import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from './support/spawn-cli.ts';

// Installers cannot be built here (electron-builder downloads the Electron zip), so the next best
// thing: the configuration passes electron-builder's own schema and names what the issue asks for.
const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- free-form JSON, read only for assertions
const pkg = require('../package.json') as { build: Record<string, any>; main: string };
const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  validateConfiguration(config: unknown, log: { isEnabled: boolean; add(): void }): Promise<void>;
};
const quiet = { isEnabled: false, add() {} };

describe('electron-builder configuration', () => {
  it("passes electron-builder's schema", async () => {
    await expect(validateConfiguration(pkg.build, quiet)).resolves.toBeUndefined();
    await expect(validateConfiguration({ ...pkg.build, linux: { targat: 'deb' } }, quiet)).rejects.toThrow(/Invalid configuration/);
  });

  it('builds AppImage + deb, NSIS and dmg for Wirelab, with icons from build/', () => {
    const b = pkg.build;
    expect(b.appId).toBe('dev.wirelab.app');
    expect(b.productName).toBe('Wirelab');
    expect(b.linux.target).toEqual(['AppImage', 'deb']);
    expect(b.win.target).toEqual(['nsis']);
    expect(b.mac.target).toEqual(['dmg']);
    expect(b.directories).toEqual({ buildResources: 'build', output: 'dist' });
    expect(existsSync(join(projectRoot, b.linux.icon))).toBe(true);
    expect(existsSync(join(projectRoot, b.mac.entitlements))).toBe(true);
    expect(b.files).toContain('out/**');
    expect(pkg.main).toBe('out/main/index.js');
  });

  it('flips the fuses in release builds (RunAsNode off, inspect off, asar integrity on)', () => {
    expect(pkg.build.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeCliInspectArguments: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });
});
