import { createRequire } from 'node:module';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from './support/spawn-cli.ts';

// Installers cannot be built here (electron-builder downloads the Electron zip), so the next best
// thing: the configuration passes electron-builder's own schema and names what the issue asks for.
const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- free-form JSON, read only for assertions
const pkg = require('../package.json') as { build: Record<string, any>; main: string; dependencies: Record<string, string> };
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

  it('packs what the built app and CLI import at run time, and no TypeScript runner (tsx, esbuild)', () => {
    // electron-builder packs "files" (out/**: the app, the CLI bundle, the UI) plus the
    // production dependencies; every bare import in the built JavaScript must be one of those.
    const built = ['out/main', 'out/cli'].flatMap((d) => {
      const dir = join(projectRoot, d);
      if (!existsSync(dir)) throw new Error(`${d} is not built; run "npm run build" first (npm test does)`);
      return readdirSync(dir)
        .filter((f) => /\.m?js$/.test(f))
        .map((f) => readFileSync(join(dir, f), 'utf8'));
    });
    const specifiers = new Set<string>();
    for (const code of built)
      for (const m of code.matchAll(
        /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*["']([^"'./][^"']*)["']|\b(?:import|require|createRequire\([^)]*\))\(\s*["']([^"'./][^"']*)["']\s*\)/gm,
      ))
        specifiers.add(m[1] ?? m[2]!);
    const packages = [...specifiers]
      .filter((s) => !s.startsWith('node:') && !builtinModules.includes(s))
      .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!));
    expect(packages).toEqual(expect.arrayContaining(['electron', 'zod', 'koffi'])); // the scan sees static imports and koffi's createRequire
    for (const name of new Set(packages)) if (name !== 'electron') expect(Object.keys(pkg.dependencies), name).toContain(name);
    expect(pkg.build.files).toContain('out/**');
    expect(Object.keys(pkg.dependencies)).not.toContain('tsx');
    expect(Object.keys(pkg.dependencies)).not.toContain('esbuild');
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
