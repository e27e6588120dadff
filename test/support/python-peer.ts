import { spawn, type ChildProcess } from 'node:child_process';
import { projectRoot } from './spawn-cli.ts';

/** Starts `python3 test/fixtures/<file> …args` and resolves with its first stdout line, the port it listens on. */
export function startPythonPeer(file: string, args: string[], timeoutMs = 15_000): Promise<{ child: ChildProcess; port: number; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [`test/fixtures/${file}`, ...args], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no port from ${file}: ${err}`));
    }, timeoutMs);
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const first = out.split('\n')[0]!;
      if (out.includes('\n') && /^\d+$/.test(first.trim())) {
        clearTimeout(timer);
        resolve({ child, port: Number(first.trim()), output: () => out });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${file} exited ${code}: ${err}`));
    });
  });
}

/** Ends a peer this test started (by its own handle) and waits for it to go. */
export function stopPeer(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
