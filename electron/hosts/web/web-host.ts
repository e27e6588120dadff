import { randomBytes } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { ErrorCode, isStreamName, type EventBatch } from '../../../shared/contract/index.ts';
import { maxWireMessageBytes, wsClose, type ServerMessage } from '../../../shared/contract/wire.ts';
import { Subscription } from '../../core/event-hub.ts';
import type { Backend } from '../../services/backend.ts';
import { guardRequest, isLoopbackHost, loopbackHostHeaders, parseRequestTarget, type GuardConfig } from './request-guard.ts';
import { lockedDownPolicy } from '../../core/csp.ts';
import { readStatic, servedFile } from './static-files.ts';
import { closeReason, readEnvelope } from './ws-envelope.ts';

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
/**
 * Past this many bytes unsent on a UI socket the event stream waits (and, past its own budget,
 * drops and counts): a tab that stops reading costs the host this plus the queued budget.
 */
const maxBufferedBytes = 4 * 1024 * 1024;
/** How long a refused or half-spoken connection may linger before the host lets it go. */
const lingerMs = 5000;

/**
 * `ws` closes a socket itself on a protocol error (a message over maxPayload: 1009, a text frame
 * that is not UTF-8: 1007) but gives no reason; this fills one in, naming the limit.
 */
class HostSocket extends WebSocket {
  override close(code?: number, data?: string | Buffer): void {
    if (data === undefined && code === wsClose.messageTooBig) {
      data = closeReason(`message over the ${maxWireMessageBytes}-byte limit (maxWireMessageBytes, shared/contract/wire.ts)`);
    } else if (data === undefined && code === wsClose.invalidPayload) data = 'text message is not valid UTF-8';
    else if (data === undefined && code === 1002) data = 'WebSocket protocol error';
    super.close(code, data);
  }
}

function refuse(res: ServerResponse, status: number, reason: string): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'content-security-policy': lockedDownPolicy,
  });
  res.end(status === 401 ? `Wirelab: ${reason}. Open the URL that \`wirelab serve\` printed (it carries the token).\n` : `Wirelab: ${reason}.\n`);
}

/** Answers on a raw socket (a refused upgrade, a request Node could not parse) and lets it go. */
function refuseRaw(socket: Duplex, status: number, reason: string): void {
  if (socket.destroyed) return;
  if (socket.writable) {
    const body = `Wirelab: ${reason}\r\n`;
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Bad Request'}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  // A peer that never reads or never closes its half must not hold the socket.
  setTimeout(() => socket.destroy(), lingerMs).unref();
}

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host) && !options.allowRemote) {
    throw new Error(`Refusing to listen on ${host}: it is not a loopback address. Add --allow-remote if you really mean to expose Wirelab to the network.`);
  }
  const token = options.token ?? randomBytes(16).toString('hex');
  const { backend } = options;
  // Requests here are a page and its assets: a client that takes longer than this to send its
  // headers is holding a socket open, not loading the UI.
  const server = createServer({ headersTimeout: 20_000, requestTimeout: 60_000 });
  const wss = new WebSocketServer<typeof HostSocket>({ noServer: true, maxPayload: maxWireMessageBytes, WebSocket: HostSocket });
  const sockets = new Set<WebSocket>();
  let config: GuardConfig | null = null;

  // Node calls this for what its parser refuses (a bad request line or header, headers over
  // 16 KiB, a timeout) and for a reset socket. Answer 4xx when the peer can still hear it, like
  // Node's default, and never let the error go unhandled.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (err.code === 'ECONNRESET' || err.code === 'EPIPE' || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    refuseRaw(socket, status, status === 400 ? 'malformed request' : (STATUS_CODES[status] ?? 'refused').toLowerCase());
  });

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void handleHttp(req, res).catch((err: unknown) => {
      // Only the host's own failures end here (a file it cannot read): client input cannot.
      backend.log.error('web-host', 'request failed', err);
      if (!res.headersSent) refuse(res, 500, 'internal error');
      else res.destroy();
    });
  });

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The server only listens once `config` is set; this keeps the type checker honest.
    if (!config) return refuse(res, 421, 'not listening yet');
    const url = parseRequestTarget(req.url);
    if (!url) return refuse(res, 400, 'the request target is not a path');
    const verdict = guardRequest(req, url, config);
    if (!verdict.ok) return refuse(res, verdict.status, verdict.reason);
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'only GET is served');
    if (verdict.via === 'query') {
      // Trade the token in the URL for a cookie once, and drop it from the address bar so it
      // does not linger in history or get copied along with a link.
      url.searchParams.delete('token');
      res.writeHead(302, {
        'set-cookie': `${config.cookieName}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        // One leading slash: `//other.example/` would be a link to another site.
        location: `/${url.pathname.replace(/^\/+/, '')}${url.search}`,
        'cache-control': 'no-store',
        'referrer-policy': 'no-referrer',
      });
      return void res.end();
    }
    const file = await readStatic(options.rendererDir, url.pathname);
    if (!file) return refuse(res, 404, `${url.pathname.slice(0, 100)} not found`);
    const { body, page, headers } = servedFile(file);
    res.writeHead(200, {
      ...headers,
      'content-length': body.length,
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cache-control': page ? 'no-store' : 'private, max-age=3600',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node hands the socket over without its own error listener: a peer that resets now (say,
    // right after a refusal) would otherwise raise an unhandled ECONNRESET and end the host.
    socket.on('error', (err: NodeJS.ErrnoException) => {
      backend.log.debug('web-host', `upgrade socket: ${err.code ?? err.message}`);
      socket.destroy();
    });
    if (!config) return refuseRaw(socket, 421, 'not listening yet');
    const url = parseRequestTarget(req.url);
    if (!url) return refuseRaw(socket, 400, 'the request target is not a path');
    if (url.pathname !== wsPath) return refuseRaw(socket, 404, 'no such endpoint');
    const verdict = guardRequest(req, url, config);
    if (!verdict.ok) {
      backend.log.warn('web-host', `refused WebSocket: ${verdict.reason}`);
      return refuseRaw(socket, verdict.status, verdict.reason);
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
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
      const buffer = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      const verdict = readEnvelope(buffer, isBinary);
      if (verdict.kind === 'close') {
        backend.log.warn('web-host', `closed a WebSocket (${verdict.code}): ${verdict.reason}`);
        ws.close(verdict.code, verdict.reason);
        return;
      }
      if (verdict.kind === 'reply') {
        send(ws, { type: 'result', id: verdict.id, ok: false, error: verdict.error });
        return;
      }
      const msg = verdict.message;
      if (msg.type === 'invoke') {
        backend.dispatcher
          .invoke(msg.command, msg.input)
          .then((result) => send(ws, { type: 'result', id: msg.id, ...result }))
          .catch((err: unknown) => {
            backend.log.error('web-host', `${msg.command} failed outside the dispatcher`, err);
            send(ws, { type: 'result', id: msg.id, ok: false, error: { code: ErrorCode.internal, message: `${msg.command}: internal error` } });
          });
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
