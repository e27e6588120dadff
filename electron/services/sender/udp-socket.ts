import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { peerName, socketError } from './tcp-client.ts';

/** A bound UDP socket: send to anyone, receive from anyone (the sender shown with each datagram). */
export class UdpSocket {
  private constructor(
    readonly socket: Socket,
    readonly address: string,
    readonly port: number,
  ) {}

  static bind(options: { host: string; port: number }, onMessage: (bytes: Buffer, from: RemoteInfo) => void): Promise<UdpSocket> {
    return new Promise((resolve, reject) => {
      const socket = createSocket({ type: isIP(options.host) === 6 ? 'udp6' : 'udp4', reuseAddr: false });
      socket.on('message', onMessage);
      socket.once('error', (err: NodeJS.ErrnoException) => reject(socketError(err, `bind UDP ${peerName(options.host, options.port)}`)));
      socket.bind(options.port, options.host, () => {
        socket.removeAllListeners('error');
        socket.on('error', () => undefined);
        const a = socket.address();
        resolve(new UdpSocket(socket, a.address, a.port));
      });
    });
  }

  send(bytes: Uint8Array, host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.send(bytes, port, host, (err) => (err ? reject(socketError(err as NodeJS.ErrnoException, `send to ${peerName(host, port)}`)) : resolve()));
    });
  }

  setBroadcast(on: boolean): void {
    this.socket.setBroadcast(on);
  }

  join(group: string, iface?: string): void {
    this.socket.addMembership(group, iface);
  }

  leave(group: string, iface?: string): void {
    this.socket.dropMembership(group, iface);
  }

  setMulticast(options: { ttl?: number; loopback?: boolean }): void {
    if (options.ttl !== undefined) this.socket.setMulticastTTL(options.ttl);
    if (options.loopback !== undefined) this.socket.setMulticastLoopback(options.loopback);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
