import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { WebSocket } from 'ws';
import { startNode, stop, wirelabBin } from './spawn-cli.ts';
import { tempDir } from './temp-dir.ts';

/** `wirelab serve` run as a real child process, as a user starts it. */
export interface ServedHost {
  child: ChildProcess;
  url: string;
  port: number;
  token: string;
  /** `Host`, `Origin` and `Cookie` values the real UI would send. */
  hostHeader: string;
  origin: string;
  cookie: string;
  /** Everything the host wrote to stderr so far (its log). */
  stderr(): string;
  stop(): Promise<number | null>;
}

export async function serveChild(env: NodeJS.ProcessEnv = process.env): Promise<ServedHost> {
  const dataDir = await tempDir('wirelab-served-');
  const { child, line } = await startNode([wirelabBin, 'serve', '--json', '--port', '0', '--data-dir', dataDir], /"listening"/, 30_000, env);
  let err = '';
  child.stderr?.on('data', (c: Buffer) => {
    // Keep the tail only: a fuzz run logs thousands of refusals.
    err = (err + c.toString()).slice(-200_000);
  });
  const url = (JSON.parse(line) as { url: string }).url;
  const parsed = new URL(url);
  const port = Number(parsed.port);
  const token = parsed.searchParams.get('token') ?? '';
  return {
    child,
    url,
    port,
    token,
    hostHeader: `127.0.0.1:${port}`,
    origin: `http://127.0.0.1:${port}`,
    cookie: `wirelab_token_${port}=${token}`,
    stderr: () => err,
    stop: () => stop(child),
  };
}

/** The child's resident set in bytes (VmRSS of /proc/<pid>/status), or 0 once it has gone. */
export function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** A WebSocket to the host, authenticated as the UI is (Origin + cookie). */
export function openUiSocket(host: ServedHost, options: { maxPayload?: number } = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${host.hostHeader}/ws`, { headers: { origin: host.origin, cookie: host.cookie }, maxPayload: options.maxPayload ?? 0 });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

export interface ResultMessage {
  type: 'result';
  id: number;
  ok: boolean;
  value?: unknown;
  error?: { code: string; message: string; field?: string; params?: Record<string, unknown> };
}

/** Sends one invoke and waits (bounded) for the result with its id. */
export function invoke(ws: WebSocket, id: number, command: string, input: unknown, timeoutMs = 20_000): Promise<ResultMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.off('message', onMessage);
      reject(new Error(`no result for ${command} #${id} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (data: Buffer) => {
      const msg = JSON.parse(data.toString()) as { type: string; id?: number };
      if (msg.type === 'result' && msg.id === id) {
        clearTimeout(timer);
        ws.off('message', onMessage);
        resolve(msg as ResultMessage);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ type: 'invoke', id, command, input }));
  });
}
