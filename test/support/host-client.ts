import type { ChildProcess } from 'node:child_process';
import { WebSocket } from 'ws';
import { rssBytes, serveChild, type ServedHost } from './served-host.ts';

export interface HostResult {
  ok: boolean;
  value?: unknown;
  error?: { code: string; message: string; field?: string };
}

/**
 * `wirelab serve` as a real child process and one WebSocket client of it (a page, as far as the
 * host can tell): invoke commands, subscribe to streams, read the child's memory.
 */
export interface HostClient {
  child: ChildProcess;
  ws: WebSocket;
  /** One contract call; rejects after `timeoutMs` without an answer. */
  call(command: string, input: unknown, timeoutMs?: number): Promise<HostResult>;
  subscribe(stream: string): void;
  /** Every event received on subscribed streams, and the drops the host reported. */
  events: unknown[];
  dropped: number;
  /** The child's resident memory (VmRSS) in bytes. */
  rss(): number;
  close(): Promise<void>;
}

export async function startHost(): Promise<HostClient> {
  return connectHost(await serveChild());
}

/** A client of a host already started (another runtime's, e.g. Windows Node under Wine); closing it stops the host. */
export async function connectHost(served: Pick<ServedHost, 'child' | 'hostHeader' | 'origin' | 'token' | 'stop'>): Promise<HostClient> {
  const { child } = served;
  // Bearer rather than the cookie: a client that is not a browser, as the CLI or a script is.
  const ws = new WebSocket(`ws://${served.hostHeader}/ws`, { headers: { origin: served.origin, authorization: `Bearer ${served.token}` } });
  try {
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
  } catch (e) {
    await served.stop();
    throw e;
  }
  let nextId = 1;
  const waiting = new Map<number, (r: HostResult) => void>();
  const client: HostClient = {
    child,
    ws,
    events: [],
    dropped: 0,
    call(command, input, timeoutMs = 10_000) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`${command}: no answer within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.set(id, (r) => {
          clearTimeout(timer);
          resolve(r);
        });
        ws.send(JSON.stringify({ type: 'invoke', id, command, input }));
      });
    },
    subscribe(stream) {
      ws.send(JSON.stringify({ type: 'subscribe', stream }));
    },
    rss: () => rssBytes(child.pid!),
    async close() {
      ws.terminate();
      await served.stop();
    },
  };
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString()) as { type: string; id?: number; events?: unknown[]; dropped?: number } & HostResult;
    if (m.type === 'result') waiting.get(m.id!)?.(m);
    else if (m.type === 'events') {
      for (const e of m.events!) client.events.push(e);
      client.dropped += m.dropped ?? 0;
    }
  });
  return client;
}

/** Polls `check` every 20 ms until it holds, or throws after `ms`. */
export async function until(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
