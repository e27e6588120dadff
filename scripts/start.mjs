// `npm start`: the desktop app where Electron can run, the browser host where it cannot.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { findElectronBinary, projectRoot } from './electron-binary.mjs';

const build = spawnSync(process.execPath, [join(projectRoot, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '--logLevel', 'warn'], {
  cwd: projectRoot,
  stdio: ['ignore', 'inherit', 'inherit'],
});
if (build.status !== 0) {
  console.error('Wirelab: the build failed (see above), so there is nothing to start.');
  process.exit(build.status ?? 1);
}

const electron = findElectronBinary();
const args = electron.path ? ['.'] : [join(projectRoot, 'bin', 'wirelab.mjs'), 'serve', ...process.argv.slice(2)];
if (!electron.path) {
  console.log(
    `Wirelab cannot open its desktop window because ${electron.reason}, so it is starting the browser host instead: open the address below in any browser.`,
  );
}
const child = spawn(electron.path ?? process.execPath, args, { cwd: projectRoot, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
