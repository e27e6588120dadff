import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isIP } from 'node:net';
import { Logger } from '../core/logger.ts';
import { createBackend } from '../services/backend.ts';
import { defaultDataDir } from '../services/app/data-dir.ts';
import { startWebHost } from '../hosts/web/web-host.ts';
import { isLoopbackHost } from '../hosts/web/request-guard.ts';
import { parsePort, UsageError, type CliIo } from './cli-io.ts';

export const serveHelp = `wirelab serve [--host 127.0.0.1] [--port 0] [--data-dir DIR] [--allow-remote] [--json]

Serves the Wirelab UI and its services to a browser at http://127.0.0.1:<port>/?token=<token>.
  --host H          address to bind (default 127.0.0.1; anything but loopback needs --allow-remote)
  --port N          port to bind (default 0: any free port)
  --data-dir DIR    where settings are kept (default: the desktop app's folder)
  --allow-remote    allow a non-loopback --host (the token is then the only protection)
  --json            print {"event":"listening","url":…} as the first line, JSON only`;

/** How long a clean stop may take before the host exits anyway. */
const SHUTDOWN_MS = 10_000;

export function rendererDir(): string {
  return fileURLToPath(new URL('../../out/renderer', import.meta.url));
}

export interface ServeValues {
  host?: string | undefined;
  port?: string | undefined;
  'data-dir'?: string | undefined;
  'allow-remote'?: boolean | undefined;
  json?: boolean | undefined;
}

export async function serveCommand(values: ServeValues, io: CliIo): Promise<number> {
  const host = values.host ?? '127.0.0.1';
  if (host !== 'localhost' && isIP(host) === 0) throw new UsageError(`--host must be an IP address or "localhost", not "${host}"`);
  const port = parsePort(values.port, '--port', 0);
  if (!isLoopbackHost(host) && !values['allow-remote']) {
    throw new UsageError(`--host ${host} is not a loopback address; add --allow-remote to expose Wirelab to the network`);
  }
  const dir = rendererDir();
  if (!existsSync(join(dir, 'index.html'))) {
    throw new UsageError(`the UI is not built (${dir} is missing); run "npm run build" first`);
  }
  const json = values.json === true;
  const logger = new Logger(2000, (line) => io.err(line));
  const backend = await createBackend({ host: 'browser', dataDir: values['data-dir'] ?? defaultDataDir(), logger });
  let web;
  try {
    web = await startWebHost({ backend, rendererDir: dir, host, port, allowRemote: values['allow-remote'] === true });
  } catch (err) {
    await backend.dispose();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UsageError(`port ${port} on ${host} is already in use (EADDRINUSE); pick another --port or use 0`);
    if (code === 'EACCES') throw new UsageError(`not allowed to listen on ${host}:${port} (EACCES); ports below 1024 need privileges, use a higher --port`);
    if (code === 'EADDRNOTAVAIL') throw new UsageError(`${host} is not an address of this machine (EADDRNOTAVAIL)`);
    throw err;
  }
  if (!isLoopbackHost(host)) io.err(`warning: Wirelab is reachable from the network on ${host}:${web.port}; anyone with the token can use it`);
  if (json) io.out(JSON.stringify({ event: 'listening', url: web.url }));
  else {
    io.out(`Wirelab is serving at ${web.url}`);
    io.out('Open that address in a browser. Press Ctrl+C to stop.');
  }
  await io.stopSignal;
  // SIGTERM / SIGINT: close the door, then every service ends its sockets and children and the
  // child guard removes the labs' folder. Bounded: a shutdown that hangs must not keep the
  // process (and so its children) alive; exiting is enough, since the guard then ends them.
  let timer: NodeJS.Timeout | undefined;
  const finished = await Promise.race([
    (async () => {
      await web.close();
      await backend.dispose();
      return true;
    })(),
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), SHUTDOWN_MS))),
  ]);
  clearTimeout(timer);
  if (!finished) {
    io.err(`warning: shutdown took longer than ${SHUTDOWN_MS / 1000} s; exiting anyway (the child guard ends what is left)`);
    return 1;
  }
  if (json) io.out(JSON.stringify({ event: 'stopped' }));
  return 0;
}
