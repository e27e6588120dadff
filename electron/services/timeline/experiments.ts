import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import type { markerCodes } from '../../../shared/contract/codes.ts';
import type { ExperimentKind, TimelineMarker } from '../../../shared/contract/timeline.ts';
import { endpointText } from '../../../shared/timeline/tcp-streams.ts';
import { wallClock } from './wall-clock.ts';

/**
 * The one-click experiments: Wirelab's own client and server on loopback, each scripted to
 * show one chapter of the course notes (three-way handshake, four-way teardown, half-close,
 * TIME_WAIT on the side that closes first, RST; flow control's zero window; keep-alive). Every
 * step is bounded by a timer.
 */

type MarkerCode = keyof typeof markerCodes;
type Params = Record<string, string | number>;

/** A marker as the hooks take it: the code and params the UI words, and the English for logs. */
export function marker(
  client: string | null,
  side: TimelineMarker['side'],
  event: TimelineMarker['event'],
  code: MarkerCode,
  params: Params,
  detail: string,
): Omit<TimelineMarker, 'tsSec' | 'tsNs'> {
  return Object.keys(params).length > 0 ? { client, side, event, code, params, detail } : { client, side, event, code, detail };
}

/** A socket error as a marker: ECONNREFUSED says what it means, others name their errno. */
export function errorMarker(
  client: string | null,
  side: TimelineMarker['side'],
  e: NodeJS.ErrnoException,
  address: string,
): Omit<TimelineMarker, 'tsSec' | 'tsNs'> {
  const errno = e.code ?? 'error';
  const detail = `${errno}: ${e.message}`;
  return errno === 'ECONNREFUSED'
    ? marker(client, side, 'error', 'MARK_CONNECTION_REFUSED', { address }, detail)
    : marker(client, side, 'error', 'MARK_SOCKET_ERROR', { errno }, detail);
}

export interface ExperimentHooks {
  marker(m: Omit<TimelineMarker, 'tsSec' | 'tsNs'>): void;
  /** Called as soon as the 4-tuple is known (right after connect(): localPort is set in SYN_SENT). */
  connection(client: string, server: string): void;
}

/** The zero-window lesson: how much the client sends, and how long the server leaves it unread. */
export const ZERO_WINDOW_BYTES = 512 * 1024;
export const ZERO_WINDOW_PAUSE_MS = 1500;
/** The keep-alive lesson: first probe after 1 s idle; the connection stays idle this long. */
export const KEEP_ALIVE_IDLE_MS = 3300;

export function markerAt(m: Omit<TimelineMarker, 'tsSec' | 'tsNs'>): TimelineMarker {
  return { ...wallClock(), ...m };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A port nobody listens on: bind port 0, note the number, close. */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Listens on 127.0.0.1:0 with the experiment's server behaviour; returns the port. */
export async function experimentServer(kind: ExperimentKind, hooks: ExperimentHooks): Promise<{ server: Server; port: number }> {
  // allowHalfOpen: the half-close lesson needs a server that keeps writing after the client's FIN.
  const server = createServer({ allowHalfOpen: kind === 'half-close' });
  server.on('connection', (sock) => serverSide(kind, sock, hooks));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  hooks.marker(marker(null, 'server', 'listen', 'MARK_LISTENING', { address: `127.0.0.1:${port}` }, `listening on 127.0.0.1:${port}`));
  return { server, port };
}

function serverSide(kind: ExperimentKind, sock: Socket, hooks: ExperimentHooks): void {
  const client = endpointText(sock.remoteAddress ?? '?', sock.remotePort ?? 0);
  const mark = (event: TimelineMarker['event'], code: MarkerCode, params: Params, detail: string) =>
    hooks.marker(marker(client, 'server', event, code, params, detail));
  const received = (n: number) => mark('receive', 'MARK_BYTES', { bytes: n }, `${n} bytes`);
  mark('accept', 'MARK_ACCEPTED', { peer: client }, `accepted ${client}`);
  sock.on('error', (e: NodeJS.ErrnoException) => hooks.marker(errorMarker(client, 'server', e, client)));
  sock.on('close', () => mark('close', 'MARK_CLOSED', {}, 'socket closed'));
  sock.on('end', () => mark('end', 'MARK_FIN_FROM_CLIENT', {}, 'the client sent FIN (read returned 0)'));
  const write = (text: string) => {
    if (sock.destroyed) return;
    sock.write(text);
    const bytes = Buffer.byteLength(text);
    mark('send', 'MARK_SENT_TEXT', { bytes, text: JSON.stringify(text) }, `${bytes} bytes: ${JSON.stringify(text)}`);
  };
  switch (kind) {
    case 'normal':
      sock.on('data', (d) => {
        received(d.length);
        write(`echo: ${d.toString()}`);
      });
      break;
    case 'half-close':
      sock.on('data', (d) => received(d.length));
      // A listener's returned promise is dropped by the emitter: run the steps in a function of
      // their own so a failure is caught here, not left as an unhandled rejection.
      sock.on('end', () => {
        void (async () => {
          // The client can no longer send, but it still reads: keep writing for a while.
          for (let i = 1; i <= 3; i++) {
            await sleep(30);
            write(`late reply ${i}\n`);
          }
          await sleep(30);
          sock.end();
        })().catch(() => sock.destroy());
      });
      break;
    case 'server-first':
      write('bye');
      sock.end();
      break;
    case 'zero-window':
      // Not reading lets the kernel's receive buffer fill; the window it advertises shrinks to 0
      // (RFC 9293 §3.8.6: flow control). The sender must stop and probe until it reopens.
      sock.pause();
      mark(
        'receive',
        'MARK_NOT_READING',
        { seconds: ZERO_WINDOW_PAUSE_MS / 1000 },
        `not reading for ${ZERO_WINDOW_PAUSE_MS / 1000} s: the receive buffer fills`,
      );
      setTimeout(() => {
        let got = 0;
        sock.on('data', (d) => {
          got += d.length;
        });
        sock.on('end', () => {
          mark('receive', 'MARK_READ_AFTER_RESUME', { bytes: got }, `${got} bytes read after reading resumed`);
          sock.end();
        });
        sock.resume();
        mark('receive', 'MARK_READING_AGAIN', {}, 'reading again: the window opens');
      }, ZERO_WINDOW_PAUSE_MS);
      break;
    case 'keep-alive':
      sock.on('end', () => sock.end());
      break;
    case 'reset': {
      let i = 0;
      const timer = setInterval(() => {
        if (sock.destroyed || i++ >= 20) return clearInterval(timer);
        sock.write(Buffer.alloc(1000, 0x61));
      }, 10);
      sock.on('close', () => clearInterval(timer));
      break;
    }
    default:
  }
}

/** The client's script; resolves when its socket has closed (or after 5 s at most). */
export async function experimentClient(kind: ExperimentKind, port: number, hooks: ExperimentHooks): Promise<void> {
  const sock = connect({ host: '127.0.0.1', port });
  const server = `127.0.0.1:${port}`;
  let client: string | null = null;
  // localPort is known while the SYN is still unanswered (the notes): name the stream as soon as it is.
  const name = () => {
    if (client !== null || !sock.localPort) return;
    client = endpointText(sock.localAddress ?? '127.0.0.1', sock.localPort);
    hooks.connection(client, server);
  };
  const mark = (event: TimelineMarker['event'], code: MarkerCode, params: Params, detail: string) => {
    name();
    hooks.marker(marker(client, 'client', event, code, params, detail));
  };
  const received = (n: number) => mark('receive', 'MARK_BYTES', { bytes: n }, `${n} bytes`);
  const started = performance.now();
  const closed = new Promise<void>((resolve) => {
    const bound = setTimeout(() => {
      sock.destroy();
      resolve();
    }, 5000);
    sock.on('close', () => {
      clearTimeout(bound);
      mark('close', 'MARK_CLOSED', {}, 'socket closed');
      resolve();
    });
  });
  sock.on('error', (e: NodeJS.ErrnoException) => {
    name();
    hooks.marker(errorMarker(client, 'client', e, server));
  });
  sock.on('end', () => mark('end', 'MARK_FIN_FROM_SERVER', {}, 'the server sent FIN (read returned 0)'));
  sock.on('connect', () => {
    const ms = (performance.now() - started).toFixed(2);
    mark('connect', 'MARK_CONNECTED_AFTER', { ms }, `connected, ${ms} ms after connect() was called`);
    const write = (text: string) => {
      sock.write(text);
      const bytes = Buffer.byteLength(text);
      mark('send', 'MARK_SENT_TEXT', { bytes, text: JSON.stringify(text) }, `${bytes} bytes: ${JSON.stringify(text)}`);
    };
    switch (kind) {
      case 'normal':
        write('hello from Wirelab');
        sock.once('data', (d) => {
          received(d.length);
          // The client closes first, so TIME_WAIT lands here.
          setTimeout(() => sock.end(), 20);
        });
        break;
      case 'half-close':
        write('request');
        setTimeout(() => {
          sock.end();
          mark('end', 'MARK_SHUT_WR', {}, 'shutdown(SHUT_WR): FIN sent, still reading');
        }, 20);
        sock.on('data', (d) => received(d.length));
        break;
      case 'server-first':
        sock.on('data', (d) => received(d.length));
        break;
      case 'zero-window': {
        // Write until the kernel takes no more (the window is shut and the send buffer full),
        // then wait for 'drain': the server's window update lets the rest through.
        const chunk = Buffer.alloc(64 * 1024, 0x7a);
        let sent = 0;
        let blocked = false;
        const pump = () => {
          while (sent < ZERO_WINDOW_BYTES) {
            sent += chunk.length;
            if (!sock.write(chunk)) {
              if (!blocked) mark('send', 'MARK_WRITE_BLOCKED', { bytes: sent }, `write() is blocked after ${sent} bytes: the peer's window is full`);
              blocked = true;
              sock.once('drain', pump);
              return;
            }
          }
          mark(
            'send',
            'MARK_WRITTEN_ALL',
            { bytes: sent },
            `${sent} bytes written in all: what the window does not allow yet waits in the kernel's send buffer`,
          );
          sock.end();
        };
        pump();
        break;
      }
      case 'keep-alive':
        // SO_KEEPALIVE with TCP_KEEPIDLE = 1 s (libuv also sets a 1 s interval): after 1 s of
        // silence the kernel probes the peer with one old byte of sequence space (RFC 1122 §4.2.3.6).
        sock.setKeepAlive(true, 1000);
        mark('send', 'MARK_KEEPALIVE_ON', { seconds: 1 }, 'SO_KEEPALIVE on, first probe after 1 s idle; sending nothing');
        setTimeout(() => sock.end(), KEEP_ALIVE_IDLE_MS);
        break;
      case 'reset':
        sock.once('data', (d) => {
          received(d.length);
          setTimeout(() => {
            mark('close', 'MARK_RST_ABORT', {}, 'resetAndDestroy(): abort with RST');
            sock.resetAndDestroy();
          }, 30);
        });
        break;
      default:
    }
  });
  // Every handler is attached before this first wait: on loopback the connection can complete
  // (and 'connect' fire) before a setImmediate callback runs.
  await new Promise((r) => setImmediate(r));
  name();
  await closed;
}
