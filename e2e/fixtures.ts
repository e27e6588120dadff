import { test as base, expect, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/wirelab.mjs', import.meta.url));

export interface ServedHost {
  /** The URL `wirelab serve --json` printed, token included. */
  url: string;
  origin: string;
  port: number;
  token: string;
  dataDir: string;
  /** Stops this server and starts a new one on the same data folder (e.g. after editing a file), optionally with extra environment. */
  restart(env?: NodeJS.ProcessEnv): Promise<ServedHost>;
}

async function serve(dataDir: string, children: ChildProcess[], env: NodeJS.ProcessEnv = {}): Promise<ServedHost> {
  const child = spawn(process.execPath, [bin, 'serve', '--json', '--port', '0', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  children.push(child);
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`wirelab serve did not start:\n${err}`)), 20_000);
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const first = out.split('\n')[0];
      if (out.includes('\n') && first) {
        clearTimeout(timer);
        resolve(first);
      }
    });
    child.once('exit', (code) => reject(new Error(`wirelab serve exited ${code}:\n${err}`)));
  });
  const { url } = JSON.parse(line) as { url: string };
  const parsed = new URL(url);
  return {
    url,
    origin: parsed.origin,
    port: Number(parsed.port),
    token: parsed.searchParams.get('token')!,
    dataDir,
    async restart(extra?: NodeJS.ProcessEnv) {
      await stopChild(child);
      return serve(dataDir, children, extra);
    },
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}

export const test = base.extend<{ host: ServedHost; app: Page }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring form
  host: async ({}, use) => {
    const children: ChildProcess[] = [];
    const dataDir = mkdtempSync(join(tmpdir(), 'wirelab-e2e-'));
    await use(await serve(dataDir, children));
    await Promise.all(children.map(stopChild));
  },
  app: async ({ page, host }, use) => {
    // Anything the page logs as an error (a CSP violation, an uncaught exception) fails the test.
    const problems: string[] = [];
    page.on('console', (m) => {
      // A refused WebSocket or request is what a test that stops the backend on purpose causes;
      // anything else the page logs as an error is a problem.
      if (m.type() === 'error' && !/WebSocket connection to .* failed|^Failed to load resource: net::ERR_CONNECTION_REFUSED$/.test(m.text()))
        problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(host.url);
    await expect(page.locator('.app[data-ready="true"]')).toBeVisible();
    await use(page);
    expect(problems, 'errors in the page console').toEqual([]);
  },
});

export { expect };
