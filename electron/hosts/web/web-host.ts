import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { isStreamName, type EventBatch } from '../../../shared/contract/index.ts';
import { clientMessageSchema, type ServerMessage } from '../../../shared/contract/wire.ts';
import { contentSecurityPolicy } from '../../core/csp.ts';
import { Subscription } from '../../core/event-hub.ts';
import type { Backend } from '../../services/backend.ts';
import { guardRequest, isLoopbackHost, loopbackHostHeaders, type GuardConfig } from './request-guard.ts';
import { contentType, readStatic } from './static-files.ts';

export interface WebHostOptions {
  backend: Backend;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  host?: string;
  port?: number;
  /** Required to bind anything but loopback: the token is then the only lock. */
  allowRemote?: boolean;
  /** Fixed token for tests; otherwise 128 random bits. */
  token?: string;
}

export interface WebHost {
  url: string;
  host: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

export const wsPath = '/ws';
/** A single WebSocket message larger than this is refused; commands are small. */
const maxMessageBytes = 4 * 1024 * 1024;
const maxBufferedBytes = 8 * 1024 * 1024;

function refuse(res: ServerResponse, status: number, reason: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(
    status === 401
      ? `Wirelab: ${reason}. Open the URL that \`wirelab serve\` printed (it carries the token).\n`
      : `Wirelab: ${reason}.\n`,
  );
}

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  const text = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 421: 'Misdirected Request' }[status] ?? 'Error';
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\nWirelab: ${reason}\r\n`);
}

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host) && !options.allowRemote) {
    throw new Error(`Refusing to listen on ${host}: it is not a loopback address. Add --allow-remote if you really mean to expose Wirelab to the network.`);
  }
  const token = options.token ?? randomBytes(16).toString('hex');
  const { backend } = options;
  const server = createServer();
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxMessageBytes });
  const sockets = new Set<WebSocket>();
  let config: GuardConfig | null = null;

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void handleHttp(req, res).catch((err: unknown) => {
      backend.log.error('web-host', 'request failed', err);
      if (!res.headersSent) refuse(res, 500, 'internal error');
      else res.destroy();
    });
  });

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!config) return refuse(res, 503, 'starting');
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const verdict = guardRequest(req, url, config);
    if (!verdict.ok) return refuse(res, verdict.status, verdict.reason);
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'only GET is served');
    if (verdict.via === 'query') {
      // Trade the token in the URL for a cookie once, and drop it from the address bar so it
      // does not linger in history or get copied along with a link.
      url.searchParams.delete('token');
      res.writeHead(302, {
        'set-cookie': `${config.cookieName}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        location: `${url.pathname}${url.search}`,
        'cache-control': 'no-store',
        'referrer-policy': 'no-referrer',
      });
      return void res.end();
    }
    const file = await readStatic(options.rendererDir, url.pathname);
    if (!file) return refuse(res, 404, `${url.pathname.slice(0, 100)} not found`);
    res.writeHead(200, {
      'content-type': contentType(file.path),
      'content-length': file.body.length,
      'content-security-policy': contentSecurityPolicy(),
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cache-control': file.path.endsWith('.html') ? 'no-store' : 'private, max-age=3600',
    });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!config) return refuseUpgrade(socket, 400, 'starting');
    const url = new URL(req.url ?? '/', 'http://placeholder');
    if (url.pathname !== wsPath) return refuseUpgrade(socket, 404, 'no such endpoint');
    const verdict = guardRequest(req, url, config);
    if (!verdict.ok) {
      backend.log.warn('web-host', `refused WebSocket: ${verdict.reason}`);
      return refuseUpgrade(socket, verdict.status, verdict.reason);
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  function send(ws: WebSocket, message: ServerMessage): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  }

  function attach(ws: WebSocket): void {
    sockets.add(ws);
    const subscription = new Subscription(
      backend.hub,
      (batch: EventBatch) => send(ws, { type: 'events', stream: batch.stream, events: batch.events, dropped: batch.dropped }),
      // A browser tab that cannot keep up makes events wait, then drop (counted), never pile up.
      { backedUp: () => ws.bufferedAmount > maxBufferedBytes },
    );
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      let parsed: ReturnType<typeof clientMessageSchema.safeParse>;
      try {
        parsed = clientMessageSchema.safeParse(JSON.parse(data.toString()));
      } catch {
        backend.log.warn('web-host', 'ignored a WebSocket message that is not JSON');
        return;
      }
      if (!parsed.success) {
        backend.log.warn('web-host', 'ignored a malformed WebSocket message');
        return;
      }
      const msg = parsed.data;
      if (msg.type === 'invoke') {
        void backend.dispatcher.invoke(msg.command, msg.input).then((result) => send(ws, { type: 'result', id: msg.id, ...result }));
      } else if (isStreamName(msg.stream)) {
        if (msg.type === 'subscribe') subscription.subscribe(msg.stream);
        else subscription.unsubscribe(msg.stream);
      }
    });
    ws.on('close', () => {
      subscription.close();
      sockets.delete(ws);
    });
    ws.on('error', (err) => backend.log.warn('web-host', 'WebSocket error', err));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  config = {
    token,
    allowedHosts: isLoopbackHost(host) ? loopbackHostHeaders(host, port) : null,
    cookieName: `wirelab_token_${port}`,
  };
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}/?token=${token}`;

  return {
    url,
    host,
    port,
    token,
    async close() {
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
