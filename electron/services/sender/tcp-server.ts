import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { WirelabError } from '../../../shared/contract/errors.ts';
import { peerName, socketError } from './tcp-client.ts';

export interface ServerClient {
  id: number;
  peer: string;
  socket: Socket;
  connectedAt: number;
  bytesIn: number;
  bytesOut: number;
}

/**
 * A TCP server that keeps every client connected (Packet Sender's closes after one reply), so
 * a student can run the chat-room lesson against it.
 */
export class TcpServer {
  readonly clients = new Map<number, ServerClient>();
  private nextId = 1;
  private constructor(
    readonly server: Server,
    readonly host: string,
    readonly port: number,
  ) {}

  static listen(options: { host: string; port: number }, onClient: (client: ServerClient) => void): Promise<TcpServer> {
    return new Promise((resolve, reject) => {
      const server = createServer({ noDelay: true });
      let self: TcpServer | null = null;
      server.on('connection', (socket) => {
        if (!self) return socket.destroy();
        const client: ServerClient = {
          id: self.nextId++,
          peer: peerName(socket.remoteAddress, socket.remotePort),
          socket,
          connectedAt: Date.now(),
          bytesIn: 0,
          bytesOut: 0,
        };
        self.clients.set(client.id, client);
        socket.on('data', (d) => (client.bytesIn += d.length));
        socket.on('close', () => self?.clients.delete(client.id));
        socket.on('error', () => undefined); // reported through 'close'; an RST from one client must not end the server
        onClient(client);
      });
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(socketError(err, `listen on ${peerName(options.host, options.port)}`, 'listen', peerName(options.host, options.port))),
      );
      server.listen(options.port, options.host, () => {
        const addr = server.address() as AddressInfo;
        self = new TcpServer(server, addr.address, addr.port);
        resolve(self);
      });
    });
  }

  send(clientId: number, bytes: Uint8Array): void {
    const c = this.clients.get(clientId);
    if (!c) throw new WirelabError('NO_SUCH_CLIENT', `client ${clientId} is no longer connected`, 'client');
    c.bytesOut += bytes.length;
    c.socket.write(bytes);
  }

  sendToPeer(peer: string, bytes: Uint8Array): void {
    const c = [...this.clients.values()].find((x) => x.peer === peer);
    if (!c) throw new WirelabError('NO_SUCH_CLIENT', `client: ${peer} is no longer connected`, 'client', { peer });
    this.send(c.id, bytes);
  }

  sendAll(bytes: Uint8Array): number {
    for (const id of this.clients.keys()) this.send(id, bytes);
    return this.clients.size;
  }

  close(): Promise<void> {
    for (const c of this.clients.values()) c.socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
