// Finds a runnable Electron binary using the file system only. Never require('electron') here:
// its index.js starts a download when dist/ is missing, which fails on machines without internet.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** @returns {{ path: string } | { path: null, reason: string }} */
export function findElectronBinary(env = process.env) {
  const pkgDir = join(root, 'node_modules', 'electron');
  if (!existsSync(join(pkgDir, 'package.json'))) return { path: null, reason: 'the electron package is not installed (run npm install)' };
  const pathFile = join(pkgDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const candidate = join(env.ELECTRON_OVERRIDE_DIST_PATH, relative ?? (process.platform === 'win32' ? 'electron.exe' : 'electron'));
    if (existsSync(candidate)) return { path: candidate };
    return { path: null, reason: `ELECTRON_OVERRIDE_DIST_PATH is set but ${candidate} does not exist` };
  }
  if (!relative)
    return {
      path: null,
      reason: 'the Electron binary was never downloaded (node_modules/electron/path.txt is missing; this machine cannot reach the Electron download server)',
    };
  const full = join(pkgDir, 'dist', relative);
  if (!existsSync(full)) return { path: null, reason: `the Electron binary is missing (${full})` };
  return { path: full };
}

export const projectRoot = root;
