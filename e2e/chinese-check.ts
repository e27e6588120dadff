import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Locator } from '@playwright/test';

const bin = fileURLToPath(new URL('../bin/wirelab.mjs', import.meta.url));

/**
 * Runs of three or more English words in the text a user sees (hidden text, such as a closed
 * <details> with a program's own output, does not count). Identifiers stay: ECONNREFUSED,
 * SYN+ACK, seq=0, connect(), TIME_WAIT, tcpdump… So do what is not prose: the bytes sent
 * (quoted, "hello from Wirelab") and commands to type (sudo apt install tcpdump).
 */
export async function englishSentences(where: Locator): Promise<string[]> {
  const text = (await where.innerText()).replace(/"[^"\n]*"/g, '""').replace(/\bsudo [\w .:=$()/-]+/g, 'sudo');
  return text.match(/\b[A-Za-z][a-z]+(?:[ ,’'-]+[A-Za-z][a-z]+){2,}\b/g) ?? [];
}

/**
 * `wirelab serve` as the user nobody (uid 65534), for what only an unprivileged user meets:
 * capture refused to tcpdump, a signal refused for a process another user owns. The tests run
 * as root (as CI does); setpriv(1) drops to nobody for this one host.
 */
export async function serveAsNobody(): Promise<{ url: string; stop(): Promise<void> }> {
  if (process.getuid?.() !== 0) throw new Error('serveAsNobody needs root (to setpriv to uid 65534), as CI runs the e2e');
  const dataDir = mkdtempSync(join(tmpdir(), 'wirelab-e2e-nobody-'));
  chmodSync(dataDir, 0o777);
  const child: ChildProcess = spawn(
    'setpriv',
    ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, bin, 'serve', '--json', '--port', '0', '--data-dir', dataDir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`wirelab serve (as nobody) did not start:\n${err}`)), 20_000);
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (!out.includes('\n')) return;
      clearTimeout(timer);
      resolve((JSON.parse(out.split('\n')[0]!) as { url: string }).url);
    });
    child.once('exit', (code) => reject(new Error(`wirelab serve (as nobody) exited ${code}:\n${err}`)));
  });
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}
