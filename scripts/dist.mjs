// `npm run dist [-- --linux | --win | --mac]`: build, then package with electron-builder.
// Packaging downloads the Electron zip for the target platform, so it needs a machine that can
// reach Electron's release server; where that fails, say so plainly.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from './electron-binary.mjs';

const bin = (name) => join(projectRoot, 'node_modules', '.bin', name);
const build = spawnSync(bin('electron-vite'), ['build'], { cwd: projectRoot, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const pack = spawnSync(bin('electron-builder'), ['--publish', 'never', ...process.argv.slice(2)], { cwd: projectRoot, stdio: 'inherit' });
if (pack.status !== 0) {
  console.error(
    '\nWirelab: packaging failed. electron-builder must download the Electron zip (and, for some targets, helper tools) from the internet; on a machine without that access installers cannot be built. The configuration is in package.json under "build".',
  );
  process.exit(pack.status ?? 1);
}
