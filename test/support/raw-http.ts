import { connect, type Socket } from 'node:net';

/** What came back on a raw socket: the status line's code (0 when none came) and the text. */
export interface RawReply {
  status: number;
  text: string;
}

export interface RawOptions {
  /** Reset (RST) the socket as soon as the first bytes of the answer arrive. */
  resetOnReply?: boolean;
  /** Close our side as soon as the answer's head (status line and headers) is in. */
  closeOnHead?: boolean;
  /** Give up waiting after this long (the peer may hold the socket open on purpose). */
  timeoutMs?: number;
}

/**
 * Writes `chunks` to a fresh TCP connection, one write each, and collects what comes back until
 * the server closes or the time is up. Raw on purpose: `http.request` refuses to send the
 * malformed requests these tests need.
 */
export function rawExchange(port: number, chunks: (string | Buffer)[], options: RawOptions = {}): Promise<RawReply> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1');
    const got: Buffer[] = [];
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(got).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ status: m ? Number(m[1]) : 0, text });
    };
    const timer = setTimeout(finish, options.timeoutMs ?? 5000);
    socket.on('data', (d: Buffer) => {
      got.push(d);
      if (options.resetOnReply) {
        socket.resetAndDestroy();
        finish();
      } else if (options.closeOnHead && Buffer.concat(got).includes('\r\n\r\n')) finish();
    });
    socket.on('error', finish);
    socket.on('close', finish);
    socket.on('connect', () => {
      for (const c of chunks) socket.write(c);
    });
  });
}

/** The headers of a WebSocket upgrade request (RFC 6455 §4.1), without the final blank line. */
export function upgradeHeaders(hostHeader: string): string {
  return `Host: ${hostHeader}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n`;
}

/** One masked client frame (RFC 6455 §5.2); `declaredLength` may lie about the payload's size. */
export function clientFrame(opcode: number, payload: Buffer, options: { fin?: boolean; declaredLength?: number } = {}): Buffer {
  const length = options.declaredLength ?? payload.length;
  const first = (options.fin === false ? 0 : 0x80) | opcode;
  let header: Buffer;
  if (length < 126) header = Buffer.from([first, 0x80 | length]);
  else if (length < 65536) {
    header = Buffer.alloc(4);
    header[0] = first;
    header[1] = 0x80 | 126;
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const masked = Buffer.from(payload);
  for (let i = 0; i < masked.length; i++) masked[i] = masked[i]! ^ mask[i % 4]!;
  return Buffer.concat([header, mask, masked]);
}
