import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { projectRoot } from './spawn-cli.ts';

/** A course-style Python program in test/peers/. */
export const peerScript = (name: string): string => fileURLToPath(new URL(`../peers/${name}`, import.meta.url));

export interface PythonRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `python3 test/peers/NAME args…` to completion, killed after `timeoutMs`. */
export function runPeer(name: string, args: string[], timeoutMs = 30_000): Promise<PythonRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [peerScript(name), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`python3 ${name} timed out\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts a Python server from test/peers/ and resolves with the port from its first line ("PORT n"). */
export function startPeer(name: string, args: string[], timeoutMs = 30_000): Promise<{ child: ChildProcess; port: number; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-u', peerScript(name), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`python3 ${name} printed no port:\n${out}\n${err}`));
    }, timeoutMs);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /^PORT (\d+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]), output: () => out + err });
      }
    });
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', () => clearTimeout(timer));
  });
}

/** Ends a peer started with startPeer and waits until it has gone. */
export function stopPeer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

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
