import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import type { ExperimentKind, TimelineMarker } from '../../../shared/contract/timeline.ts';
import { endpointText } from '../../../shared/timeline/tcp-streams.ts';
import { wallClock } from './wall-clock.ts';

/**
 * The one-click experiments: Wirelab's own client and server on loopback, each scripted to
 * show one chapter of the course notes (three-way handshake, four-way teardown, half-close,
 * TIME_WAIT on the side that closes first, RST). Every step is bounded by a timer.
 */

export interface ExperimentHooks {
  marker(m: Omit<TimelineMarker, 'tsSec' | 'tsNs'>): void;
  /** Called as soon as the 4-tuple is known (right after connect(): localPort is set in SYN_SENT). */
  connection(client: string, server: string): void;
}

export const experimentTitles: Record<ExperimentKind, string> = {
  normal: 'Connect, send, close',
  refused: 'Connect to a closed port',
  'half-close': 'Half-close: FIN one way, data the other',
  'server-first': 'The server closes first',
  reset: 'Reset in the middle of a stream',
};

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
  const mark = (event: TimelineMarker['event'], detail: string) => hooks.marker({ client, side: 'client', event, detail });
  const started = performance.now();
  // localPort is known while the SYN is still unanswered (the notes): name the stream at once.
  await new Promise((r) => setImmediate(r));
  if (sock.localPort) {
    client = endpointText(sock.localAddress ?? '127.0.0.1', sock.localPort);
    hooks.connection(client, server);
  }
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
  await closed;
}
