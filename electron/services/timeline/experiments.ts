import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import type { ExperimentKind, TimelineMarker } from '../../../shared/contract/timeline.ts';
import { endpointText } from '../../../shared/timeline/tcp-streams.ts';
import { wallClock } from './wall-clock.ts';

/**
 * The one-click experiments: Wirelab's own client and server on loopback, each scripted to
 * show one chapter of the course notes (three-way handshake, four-way teardown, half-close,
 * TIME_WAIT on the side that closes first, RST; flow control's zero window; keep-alive). Every
 * step is bounded by a timer.
 */

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
  hooks.marker({ client: null, side: 'server', event: 'listen', detail: `listening on 127.0.0.1:${port}` });
  return { server, port };
}

function serverSide(kind: ExperimentKind, sock: Socket, hooks: ExperimentHooks): void {
  const client = endpointText(sock.remoteAddress ?? '?', sock.remotePort ?? 0);
  const mark = (event: TimelineMarker['event'], detail: string) => hooks.marker({ client, side: 'server', event, detail });
  mark('accept', `accepted ${client}`);
  sock.on('error', (e: NodeJS.ErrnoException) => mark('error', e.code ?? e.message));
  sock.on('close', () => mark('close', 'socket closed'));
  sock.on('end', () => mark('end', 'the client sent FIN (read returned 0)'));
  const write = (text: string) => {
    if (sock.destroyed) return;
    sock.write(text);
    mark('send', `${Buffer.byteLength(text)} bytes: ${JSON.stringify(text)}`);
  };
  switch (kind) {
    case 'normal':
      sock.on('data', (d) => {
        mark('receive', `${d.length} bytes`);
        write(`echo: ${d.toString()}`);
      });
      break;
    case 'half-close':
      sock.on('data', (d) => mark('receive', `${d.length} bytes`));
      sock.on('end', async () => {
        // The client can no longer send, but it still reads: keep writing for a while.
        for (let i = 1; i <= 3; i++) {
          await sleep(30);
          write(`late reply ${i}\n`);
        }
        await sleep(30);
        sock.end();
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
      mark('receive', `not reading for ${ZERO_WINDOW_PAUSE_MS / 1000} s: the receive buffer fills`);
      setTimeout(() => {
        let got = 0;
        sock.on('data', (d) => {
          got += d.length;
        });
        sock.on('end', () => {
          mark('receive', `${got} bytes read after reading resumed`);
          sock.end();
        });
        sock.resume();
        mark('receive', 'reading again: the window opens');
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
  const mark = (event: TimelineMarker['event'], detail: string) => {
    name();
    hooks.marker({ client, side: 'client', event, detail });
  };
  const started = performance.now();
  const closed = new Promise<void>((resolve) => {
    const bound = setTimeout(() => {
      sock.destroy();
      resolve();
    }, 5000);
    sock.on('close', () => {
      clearTimeout(bound);
      mark('close', 'socket closed');
      resolve();
    });
  });
  sock.on('error', (e: NodeJS.ErrnoException) => mark('error', `${e.code ?? 'error'}: ${e.message}`));
  sock.on('end', () => mark('end', 'the server sent FIN (read returned 0)'));
  sock.on('connect', () => {
    mark('connect', `connected, ${(performance.now() - started).toFixed(2)} ms after connect() was called`);
    const write = (text: string) => {
      sock.write(text);
      mark('send', `${Buffer.byteLength(text)} bytes: ${JSON.stringify(text)}`);
    };
    switch (kind) {
      case 'normal':
        write('hello from Wirelab');
        sock.once('data', (d) => {
          mark('receive', `${d.length} bytes`);
          // The client closes first, so TIME_WAIT lands here.
          setTimeout(() => sock.end(), 20);
        });
        break;
      case 'half-close':
        write('request');
        setTimeout(() => {
          sock.end();
          mark('end', 'shutdown(SHUT_WR): FIN sent, still reading');
        }, 20);
        sock.on('data', (d) => mark('receive', `${d.length} bytes`));
        break;
      case 'server-first':
        sock.on('data', (d) => mark('receive', `${d.length} bytes`));
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
              if (!blocked) mark('send', `write() is blocked after ${sent} bytes: the peer's window is full`);
              blocked = true;
              sock.once('drain', pump);
              return;
            }
          }
          mark('send', `${sent} bytes written in all: what the window does not allow yet waits in the kernel's send buffer`);
          sock.end();
        };
        pump();
        break;
      }
      case 'keep-alive':
        // SO_KEEPALIVE with TCP_KEEPIDLE = 1 s (libuv also sets a 1 s interval): after 1 s of
        // silence the kernel probes the peer with one old byte of sequence space (RFC 1122 §4.2.3.6).
        sock.setKeepAlive(true, 1000);
        mark('send', 'SO_KEEPALIVE on, first probe after 1 s idle; sending nothing');
        setTimeout(() => sock.end(), KEEP_ALIVE_IDLE_MS);
        break;
      case 'reset':
        sock.once('data', (d) => {
          mark('receive', `${d.length} bytes`);
          setTimeout(() => {
            mark('close', 'resetAndDestroy(): abort with RST');
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
