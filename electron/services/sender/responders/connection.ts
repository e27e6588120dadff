import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { basename } from 'node:path';
import { WirelabError } from '../../../../shared/contract/errors.ts';
import { limits } from '../../../../shared/contract/limits.ts';
import { encodeFrame, frameParts, type Framing } from '../../../../shared/sender/framing.ts';
import type { Encoding } from '../text-codec.ts';
import type { IncomingMessage, NoteParams, Responder, ResponderContext } from './responder.ts';

/** How a connection's bytes leave: a TCP socket, or datagrams to one UDP peer. */
export interface ConnectionIo {
  /** Hands bytes to the socket; false when its buffer is full (wait for `drain` before more). */
  write(bytes: Uint8Array): boolean;
  /** Resolves when the socket takes more (or has closed). */
  drain(): Promise<void>;
  /** Ends the connection after what was written is flushed (TCP: FIN). */
  end(): void;
  /** Stops and restarts reading (TCP); absent for UDP, which cannot hold a peer back. */
  pause?(): void;
  resume?(): void;
  readonly closed: boolean;
}

/** A TCP socket as a connection's way out: writes with backpressure, FIN, pause and resume. */
export function socketIo(socket: Socket, onWrite?: (n: number) => void): ConnectionIo {
  return {
    write: (b) => {
      onWrite?.(b.length);
      return socket.write(b);
    },
    drain: () =>
      new Promise<void>((resolve) => {
        if (socket.destroyed || !socket.writableNeedDrain) return resolve();
        const done = () => {
          socket.off('drain', done);
          socket.off('close', done);
          resolve();
        };
        socket.on('drain', done);
        socket.on('close', done);
      }),
    end: () => socket.end(),
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    get closed() {
      return socket.destroyed || socket.writableEnded;
    },
  };
}

/** What a connection tells its session: counters and the log. */
export interface ConnectionHooks {
  /** Bytes went out on this connection; `log` false for a file's body (counted, not copied into the log). */
  sent(peer: string, bytes: Uint8Array | number, log: boolean): void;
  note(peer: string, code: string, message: string, params?: NoteParams): void;
  /** The other connections of the same server. */
  others(self: Connection): Connection[];
}

/** Why a file cannot be sent, as a coded error naming the field. */
function fileError(err: NodeJS.ErrnoException, path: string): WirelabError {
  const code = err.code === 'ENOENT' ? 'FILE_NOT_FOUND' : err.code === 'EACCES' || err.code === 'EPERM' ? 'FILE_NOT_READABLE' : 'FILE_READ_FAILED';
  const why = code === 'FILE_NOT_FOUND' ? 'no such file' : code === 'FILE_NOT_READABLE' ? 'permission denied' : (err.code ?? 'read error');
  return new WirelabError(code, `file: cannot read ${path} (${why})`, 'file', { field: 'file', path, errno: err.code ?? 'EIO' });
}

/**
 * One connection (TCP) or one UDP peer of a session, as its responder sees it. It frames what
 * the responder sends with the session's outgoing framing, streams files with backpressure, and
 * runs the responder's messages one at a time: while a promise is pending (a file going out),
 * later messages wait in a queue bounded by limits.responderQueueBytes; past it a TCP socket is
 * paused (the peer waits in TCP's flow control), a UDP datagram is dropped with a notice.
 */
export class Connection implements ResponderContext {
  private readonly queue: { bytes: number; run: () => void | Promise<void> }[] = [];
  private queuedBytes = 0;
  private running = false;
  /** Reasons the socket is not being read (the queue, a save waiting on the disk). */
  private readonly holds = new Set<string>();
  private droppedNoticed = false;
  closed = false;

  constructor(
    readonly peer: string,
    readonly encoding: Encoding,
    private readonly framingOut: Framing,
    private readonly io: ConnectionIo,
    private readonly hooks: ConnectionHooks,
    readonly responder: Responder | null,
  ) {}

  send(payload: Uint8Array, header?: Record<string, unknown>): void {
    this.sendRaw(encodeFrame(this.framingOut, payload, header));
  }

  sendRaw(bytes: Uint8Array): void {
    if (this.io.closed || bytes.length === 0) return;
    this.io.write(bytes);
    this.hooks.sent(this.peer, bytes, true);
  }

  async sendFile(path: string, header: Record<string, unknown> = {}): Promise<{ bytes: number }> {
    let size: number;
    try {
      const st = await stat(path);
      if (!st.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
      size = st.size;
    } catch (e) {
      throw fileError(e as NodeJS.ErrnoException, path);
    }
    const { head, tail } = frameParts(this.framingOut, size, header);
    this.sendRaw(head);
    let sent = 0;
    // A bounded read: a file that grows while it is sent cannot send more than its header said.
    if (size > 0) {
      const stream = createReadStream(path, { highWaterMark: 256 * 1024, start: 0, end: size - 1 });
      try {
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          if (this.io.closed) break;
          sent += chunk.length;
          this.hooks.sent(this.peer, chunk.length, false);
          if (!this.io.write(chunk)) await this.io.drain();
        }
      } catch (e) {
        stream.destroy();
        throw fileError(e as NodeJS.ErrnoException, path);
      }
    }
    if (sent < size && !this.io.closed) {
      // The file shrank under us: the peer was promised `size` bytes, so this stream is out of step.
      this.close('SENDER_FILE_SHRANK', `${basename(path)} shrank while it was sent (${sent} of ${size} bytes); closing this connection`, {
        name: basename(path),
        bytes: sent,
        size,
      });
      return { bytes: sent };
    }
    this.sendRaw(tail);
    this.note('SENDER_FILE_SENT', `sent ${basename(path)} (${size.toLocaleString('en-US')} bytes)`, { name: basename(path), bytes: size });
    return { bytes: head.length + sent + tail.length };
  }

  others(): ResponderContext[] {
    return this.hooks.others(this);
  }

  note(code: string, message: string, params?: NoteParams): void {
    this.hooks.note(this.peer, code, message, params);
  }

  close(code: string, message: string, params?: NoteParams): void {
    this.note(code, message, params);
    this.io.end();
  }

  /** Stops reading this connection for `reason` (TCP), until `release(reason)`. */
  hold(reason: string): void {
    if (this.holds.size === 0) this.io.pause?.();
    this.holds.add(reason);
  }

  release(reason: string): void {
    if (!this.holds.delete(reason)) return;
    if (this.holds.size === 0 && !this.io.closed) this.io.resume?.();
  }

  /** Waits for the socket to take more (a save's body pieces go out at the disk's pace, not the peer's). */
  drain(): Promise<void> {
    return this.io.drain();
  }

  /** One incoming message for the responder, run after the ones before it. */
  deliver(m: IncomingMessage): void {
    const r = this.responder;
    if (!r) return;
    this.enqueue(m.bytes.length, () => r.message(m, this));
  }

  /** Runs `run` after everything queued before it; bounded, as the class comment says. */
  enqueue(bytes: number, run: () => void | Promise<void>): void {
    if (this.closed) return;
    if (this.running && this.queuedBytes + bytes > limits.responderQueueBytes) {
      if (!this.io.pause) {
        if (!this.droppedNoticed)
          this.note('RESPONDER_QUEUE_FULL', `the responder is busy and ${limits.responderQueueBytes} bytes already wait; dropping datagrams from this peer`, {
            max: limits.responderQueueBytes,
          });
        this.droppedNoticed = true;
        return;
      }
      this.hold('queue');
    }
    this.queue.push({ bytes, run });
    this.queuedBytes += bytes;
    void this.pump();
  }

  /** Runs queued work in order; synchronous responders answer before the next chunk is read. */
  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    while (this.queue.length && !this.closed) {
      const t = this.queue.shift()!;
      this.queuedBytes -= t.bytes;
      try {
        const r = t.run();
        if (r instanceof Promise) await r;
      } catch (e) {
        // A responder's failure is this connection's, never the host's.
        const err = e instanceof WirelabError ? e : null;
        this.note(
          err?.code ?? 'RESPONDER_FAILED',
          err?.message ?? `the responder failed: ${(e as Error).message}`,
          err?.params ?? { reason: (e as Error).message },
        );
      }
      if (this.queuedBytes <= limits.responderQueueBytes / 2) {
        this.release('queue');
        this.droppedNoticed = false;
      }
    }
    this.running = false;
  }

  /** The peer went away: queued work is dropped, the responder says goodbye. */
  gone(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.queuedBytes = 0;
    try {
      this.responder?.close?.(this);
    } catch (e) {
      this.note('RESPONDER_FAILED', `the responder failed: ${(e as Error).message}`, { reason: (e as Error).message });
    }
  }
}
