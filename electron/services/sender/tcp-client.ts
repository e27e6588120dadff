import { createConnection, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { WirelabError } from '../../../shared/contract/errors.ts';
import { endpointText } from '../../../shared/timeline/tcp-streams.ts';
import { explainSocketError } from '../../../shared/sender/socket-errors.ts';
import type { SocketOp } from '../../../shared/contract/codes.ts';

export interface Endpoint {
  address: string;
  port: number;
}

export function peerName(address: string | undefined, port: number | undefined): string {
  return address ? endpointText(address, port ?? 0) : '?';
}

/** Turns a Node socket error into the contract's typed error with a plain explanation. */
export function socketError(err: NodeJS.ErrnoException, where: string, op: SocketOp, address = ''): WirelabError {
  const e = explainSocketError(err.code, where, op, address);
  return new WirelabError(e.code, e.message, undefined, e.params);
}

/**
 * One TCP connection we opened. Keeps the raw chunks as the kernel handed them over: that is
 * what makes the sticky-packet effect visible to a student.
 */
export class TcpClient {
  private constructor(
    readonly socket: Socket,
    readonly connectMs: number,
    readonly local: Endpoint,
    readonly remote: Endpoint,
  ) {}

  /** `bind`: the local address and port to connect from (bind(2) before connect; port 0 lets the kernel pick). */
  static connect(options: {
    host: string;
    port: number;
    timeoutMs?: number;
    bind?: { host?: string | undefined; port: number } | undefined;
  }): Promise<TcpClient> {
    const address = peerName(options.host, options.port);
    const where = `connect to ${address}`;
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const b = options.bind;
      const socket = createConnection({
        host: options.host,
        port: options.port,
        noDelay: true,
        ...(b?.host ? { localAddress: b.host } : {}),
        ...(b?.port ? { localPort: b.port } : {}),
      });
      let timer: ReturnType<typeof setTimeout> | null = null;
      if (options.timeoutMs) {
        timer = setTimeout(() => {
          socket.destroy();
          reject(socketError(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }), where, 'connect', address));
        }, options.timeoutMs);
      }
      socket.once('connect', () => {
        if (timer) clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(
          new TcpClient(
            socket,
            performance.now() - started,
            { address: socket.localAddress ?? '', port: socket.localPort ?? 0 },
            { address: socket.remoteAddress ?? options.host, port: socket.remotePort ?? options.port },
          ),
        );
      });
      socket.once('error', (err: NodeJS.ErrnoException) => {
        if (timer) clearTimeout(timer);
        // a local address that is taken or not ours fails at bind(2), before any SYN
        const bindFailed = b && (err.code === 'EADDRINUSE' || err.code === 'EADDRNOTAVAIL');
        const local = bindFailed ? peerName(b.host ?? '0.0.0.0', b.port) : address;
        reject(socketError(err, bindFailed ? `bind ${local}` : where, bindFailed ? 'bind' : 'connect', local));
      });
    });
  }

  /** Resolves once the kernel has the bytes (the write callback), so a caller can pace itself. */
  write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.write(bytes, (err) => (err ? reject(socketError(err as NodeJS.ErrnoException, 'send', 'send')) : resolve()));
    });
  }

  /** Half-close: send FIN, keep reading what the peer still sends. */
  end(): void {
    this.socket.end();
  }

  close(): void {
    this.socket.destroy();
  }
}
