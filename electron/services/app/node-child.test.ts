import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.ts';
import { spawnNode } from '../processes/labs.ts';
import { nodeChild, type NodeChild } from './node-child.ts';

/** Runs what nodeChild says and returns the child's stdout. */
function run(c: NodeChild): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(c.command, c.args, { env: c.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out: ${err}`));
    }, 20_000);
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`exit ${code}: ${err}`));
    });
  });
}

describe('nodeChild: how this host starts a Node program', () => {
  const env = { PATH: '/usr/bin', WIRELAB_X: 'kept' };

  it('plain Node (the CLI, wirelab serve): this binary, the script and its arguments, the environment as it is', () => {
    const c = nodeChild('/srv/lab.js', ['4'], { execPath: '/usr/bin/node', versions: { node: '22.0.0' }, env });
    expect(c).toEqual({ command: '/usr/bin/node', args: ['/srv/lab.js', '4'], env });
    expect(c.env.ELECTRON_RUN_AS_NODE).toBeUndefined();
  });

  it("Wine's node.exe is plain Node too: its Windows path, nothing added", () => {
    const c = nodeChild('Z:\\tmp\\lab.js', [], { execPath: 'C:\\node\\node.exe', versions: { node: '22.0.0' }, env });
    expect(c).toEqual({ command: 'C:\\node\\node.exe', args: ['Z:\\tmp\\lab.js'], env });
  });

  it('inside Electron the app binary is told to run as Node (ELECTRON_RUN_AS_NODE=1), not to open a second window; the host env is not changed', () => {
    const c = nodeChild('/srv/lab.js', ['4'], { execPath: '/opt/Wirelab/wirelab', versions: { node: '22.0.0', electron: '38.0.0' }, env });
    expect(c).toEqual({ command: '/opt/Wirelab/wirelab', args: ['/srv/lab.js', '4'], env: { ...env, ELECTRON_RUN_AS_NODE: '1' } });
    expect(env).not.toHaveProperty('ELECTRON_RUN_AS_NODE');
  });

  it('a real child gets the arguments and the environment, in this host and as an Electron host would start it', async () => {
    const script = join(await tempDir(), 'show.js');
    await writeFile(script, 'console.log(JSON.stringify({ argv: process.argv.slice(2), runAsNode: process.env.ELECTRON_RUN_AS_NODE ?? null }))\n');
    expect(JSON.parse(await run(nodeChild(script, ['a b', 'ü'])))).toEqual({ argv: ['a b', 'ü'], runAsNode: null });
    // this Node standing in for the app's binary: what an Electron host passes reaches the child
    const electronHost = { execPath: process.execPath, versions: { ...process.versions, electron: '38.0.0' }, env: process.env };
    expect(JSON.parse(await run(nodeChild(script, ['x'], electronHost)))).toEqual({ argv: ['x'], runAsNode: '1' });
  }, 30_000);

  it("the labs' launcher, run inside a development Electron, starts the lab as Node (before, the app's binary opened a second window)", async () => {
    const dir = await tempDir();
    const script = join(dir, 'lab.js');
    const out = join(dir, 'out.json');
    // a lab's child has no stdout (stdio ignored): it writes what it saw to a file
    await writeFile(script, `require('node:fs').writeFileSync(process.argv[2], JSON.stringify({ runAsNode: process.env.ELECTRON_RUN_AS_NODE ?? null }))\n`);
    Object.defineProperty(process.versions, 'electron', { value: '38.0.0', configurable: true });
    let launched;
    try {
      launched = await spawnNode(script, [out]);
    } finally {
      delete (process.versions as { electron?: string }).electron;
    }
    try {
      const end = Date.now() + 20_000;
      let text = '';
      while (!text && Date.now() < end) {
        text = await readFile(out, 'utf8').catch(() => '');
        if (!text) await new Promise((r) => setTimeout(r, 50));
      }
      expect(JSON.parse(text)).toEqual({ runAsNode: '1' });
    } finally {
      launched.kill();
    }
  }, 30_000);
});
