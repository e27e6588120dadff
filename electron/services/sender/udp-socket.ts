import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { peerName, socketError } from './tcp-client.ts';
import { startBatchReceiver, type BatchReceiver } from './udp-batch-receiver.ts';
import { forceReceiveBuffer } from './udp-kernel.ts';

/** What a UDP socket asks for as its receive buffer (SO_RCVBUF). */
export const receiveBufferBytes = 32 * 1024 * 1024;

/** A bound UDP socket: send to anyone, receive from anyone (the sender shown with each datagram). */
export class UdpSocket {
  /** The recvmmsg read path while a flood lasts (Linux, IPv4), or null: dgram reads everything. */
  private batch: BatchReceiver | null = null;

  private constructor(
    readonly socket: Socket,
    readonly address: string,
    readonly port: number,
  ) {}

  /** True when floods are read in batches (recvmmsg), false when every datagram goes through dgram. */
  get batched(): boolean {
    return this.batch !== null;
  }

  /** True while a flood is being read with recvmmsg. */
  get bursting(): boolean {
    return this.batch?.bursting ?? false;
  }

  static bind(options: { host: string; port: number }, onMessage: (bytes: Buffer, from: RemoteInfo) => void): Promise<UdpSocket> {
    return new Promise((resolve, reject) => {
      const socket = createSocket({ type: isIP(options.host) === 6 ? 'udp6' : 'udp4', reuseAddr: false });
      socket.on('message', onMessage);
      socket.once('error', (err: NodeJS.ErrnoException) =>
        reject(socketError(err, `bind UDP ${peerName(options.host, options.port)}`, 'bind', peerName(options.host, options.port))),
      );
      socket.bind(options.port, options.host, () => {
        socket.removeAllListeners('error');
        // A deep receive buffer rides out the host's pauses (a GC, a burst of UI work, a busy
        // machine) under a flood. Linux caps SO_RCVBUF at net.core.rmem_max (and doubles what
        // it grants, socket(7)); with CAP_NET_ADMIN, SO_RCVBUFFORCE goes past the cap.
        try {
          if (!forceReceiveBuffer(socket, receiveBufferBytes)) socket.setRecvBufferSize(receiveBufferBytes);
        } catch {
          // an OS that refuses keeps its default
        }
        socket.on('error', () => undefined);
        const a = socket.address();
        const self = new UdpSocket(socket, a.address, a.port);
        self.batch = startBatchReceiver(socket, onMessage);
        resolve(self);
      });
    });
  }

  send(bytes: Uint8Array, host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.send(bytes, port, host, (err) =>
        err ? reject(socketError(err as NodeJS.ErrnoException, `send to ${peerName(host, port)}`, 'send', peerName(host, port))) : resolve(),
      );
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
    this.batch?.stop();
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
