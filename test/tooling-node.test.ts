import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * The README says the five EBADENGINE warnings on Node 20 are harmless: the packages want
 * Node ≥ 22.12 for require() of ES modules, which Node 20.19 also has. Electron's installer is
 * CommonJS and require()s them, so that is what this does, on the Node running the tests.
 * (Nothing here downloads anything: loading a module runs no download.)
 */
const require = createRequire(import.meta.url);
const warned = ['electron', '@electron/get', '@electron-internal/extract-zip', '@electron/rebuild', 'node-abi'];

describe('Electron 45 tooling on this Node', () => {
  it('is the version the README and package.json promise (≥ 20.19)', () => {
    const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
    expect(major > 20 || (major === 20 && minor >= 19)).toBe(true);
    const engines = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { engines: { node: string } }).engines;
    expect(engines.node).toBe('>=20.19');
  });

  it('the five packages that warn want Node ≥ 22.12, and the ES modules among them load with require()', () => {
    for (const name of warned) {
      const pkg = JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')) as {
        engines?: { node?: string };
        type?: string;
      };
      expect(pkg.engines?.node?.replace(/\s/g, ''), name).toBe('>=22.12.0');
      // electron itself is CommonJS; requiring it would start its lazy binary download, so only the ESM tooling is loaded.
      if (pkg.type === 'module') expect(() => require(name), name).not.toThrow();
    }
  });
});
