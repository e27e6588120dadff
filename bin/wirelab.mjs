#!/usr/bin/env node
// The `wirelab` command. Built (`npm run build`: scripts/build-cli.mjs), it is plain JavaScript,
// out/cli/wirelab.mjs, and runs on any Node of any OS with no tsx or esbuild (both native per
// platform): the npm package (package.json "files") and the desktop app carry only the bundle,
// and tsx is a devDependency. In a source checkout without a build, or whose build is older than
// a source file that went into it, tsx loads the TypeScript instead, so an edit is never run as
// its stale build. WIRELAB_CLI=bundle or =source picks one outright.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = `${root}out/cli/wirelab.mjs`;

function bundleIsCurrent() {
  if (!existsSync(bundle)) return false;
  // An installed package has no sources beside it: the bundle is all there is.
  if (!existsSync(`${root}electron/cli/index.ts`)) return true;
  try {
    const built = statSync(bundle).mtimeMs;
    const inputs = JSON.parse(readFileSync(`${root}out/cli/inputs.json`, 'utf8'));
    return inputs.every((p) => statSync(`${root}${p}`).mtimeMs <= built);
  } catch {
    return false; // a source gone or renamed since the build
  }
}

const asked = process.env.WIRELAB_CLI;
if (asked === 'bundle' || (asked !== 'source' && bundleIsCurrent())) {
  await import(pathToFileURL(bundle).href);
} else {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    // Not a development checkout (tsx is a devDependency): say what to do in one line.
    const why = existsSync(bundle) ? 'is older than the TypeScript sources' : 'is missing';
    process.stderr.write(
      `wirelab: the built command (out/cli/wirelab.mjs) ${why}, and tsx, which runs the sources, is not installed; run "npm run build" (or "npm install" in a checkout)\n`,
    );
    process.exit(2);
  }
  register();
  await import('../electron/cli/index.ts');
}
