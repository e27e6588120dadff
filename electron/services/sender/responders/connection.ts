import { open, stat } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { basename } from 'node:path';
import { WirelabError } from '../../../../shared/contract/errors.ts';
import { limits } from '../../../../shared/contract/limits.ts';
import { encodeFrame, frameParts, type Framing } from '../../../../shared/sender/framing.ts';
import type { Encoding } from '../text-codec.ts';
import type { FileSent, IncomingMessage, NoteParams, Responder, ResponderContext } from './responder.ts';

/** How a connection's bytes leave: a TCP socket, or datagrams to one UDP peer. */
export interface ConnectionIo {
  /**
   * Hands bytes to the socket; false when its buffer is full (wait for `drain` before more).
   * `done` is called once the socket no longer holds `bytes`, so the caller may fill that buffer
   * again: with no argument when they were written to the kernel, with the socket error's code
   * (ECONNRESET, EPIPE; `closed` when it closed without one) when they never will be.
   */
  write(bytes: Uint8Array, done?: (failed?: string) => void): boolean;
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
  // Writes whose `done` has not run yet: a socket that closes settles them all, so a file's
  // sender waiting for its buffer back never waits on a callback a torn-down socket might skip.
  const pending = new Set<(err?: Error | null) => void>();
  // The first error the socket met (the peer's RST, a broken pipe): why the writes after it
  // failed, which themselves only hear ERR_STREAM_DESTROYED.
  let failure: string | undefined;
  socket.on('error', (e: NodeJS.ErrnoException) => (failure ??= e.code ?? 'EIO'));
  socket.once('close', () => {
    for (const d of [...pending]) d(new Error('closed'));
  });
  return {
    write: (b, done) => {
      // counted once the kernel has the bytes, as the session counts a file's body: a write the
      // peer's RST cut off never reached it, so a client's bytesOut agrees with SENDER_FILE_CUT
      if (!done) return socket.write(b, onWrite ? (err) => void (err || onWrite(b.length)) : undefined);
      let called = false;
      const once = (err?: Error | null) => {
        if (called) return;
        called = true;
        pending.delete(once);
        if (!err) {
          onWrite?.(b.length);
          return done();
        }
        const code = (err as NodeJS.ErrnoException).code;
        done(failure ?? (code && code !== 'ERR_STREAM_DESTROYED' ? code : 'closed'));
      };
      pending.add(once);
      // The callback runs on success and on error (a destroyed socket calls it on the next tick).
      return socket.write(b, once);
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

/** How much of a file's body was read from disk and how much the socket took; `failed`: why the rest was not. */
interface BodySent {
  read: number;
  written: number;
  failed?: string;
}

/** A file goes out in `fileBuffers` reused buffers of `fileChunk` bytes (see Connection.streamFile). */
const fileChunk = 1024 * 1024;
const fileBuffers = 4;

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
  private idleWaiters: (() => void)[] = [];
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

  /** As ResponderContext.sendFile; `onProgress` hears the body's bytes the socket has taken so far. */
  async sendFile(path: string, header: Record<string, unknown> = {}, onProgress?: (bytes: number, size: number) => void): Promise<FileSent> {
    let st;
    try {
      st = await stat(path);
    } catch (e) {
      throw fileError(e as NodeJS.ErrnoException, path);
    }
    if (!st.isFile()) throw new WirelabError('FILE_NOT_FOUND', `file: ${path} is not a file`, 'file', { field: 'file', path });
    const size = st.size;
    const name = basename(path);
    const { head, tail } = frameParts(this.framingOut, size, header);
    this.sendRaw(head);
    let body: BodySent = { read: 0, written: 0 };
    if (size > 0) {
      try {
        body = await this.streamFile(path, size, onProgress);
      } catch (e) {
        throw fileError(e as NodeJS.ErrnoException, path);
      }
    }
    const { read, written } = body;
    if (body.failed !== undefined || (read < size && this.io.closed)) {
      // The peer closed or reset mid-file: say how much the socket actually took, not the file's size.
      const reason = body.failed ?? 'closed';
      this.note(
        'SENDER_FILE_CUT',
        `sending ${name} was cut short: ${written.toLocaleString('en-US')} of ${size.toLocaleString('en-US')} bytes written (${reason})`,
        {
          name,
          sent: written,
          size,
          reason,
        },
      );
      return { bytes: head.length + written, size, sent: written, complete: false, reason };
    }
    if (read < size) {
      // The file shrank under us: the peer was promised `size` bytes, so this stream is out of step.
      this.close('SENDER_FILE_SHRANK', `${name} shrank while it was sent (${read} of ${size} bytes); closing this connection`, { name, bytes: read, size });
      return { bytes: head.length + written, size, sent: written, complete: false, reason: 'shrank' };
    }
    this.sendRaw(tail);
    this.note('SENDER_FILE_SENT', `sent ${name} (${size.toLocaleString('en-US')} bytes)`, { name, bytes: size });
    return { bytes: head.length + written + tail.length, size, sent: written, complete: true };
  }

  /**
   * The file's body, read into a few reused buffers: a buffer is read again only once the socket
   * has written it (the write's callback), which is also the backpressure. A read stream's fresh
   * 256 KiB buffer per read cost garbage collection and page faults for every chunk: reused, the
   * course's HTTP server went from 0.71–0.74× to 0.82–0.89× python3 -m http.server (README).
   * A bounded read: a file that grows while it is sent cannot send more than its header said.
   * `written` counts only what the socket took: a buffer whose write failed (the peer reset) is
   * read from the disk but never reached the peer, and is neither counted as sent nor logged so.
   */
  private async streamFile(path: string, size: number, onProgress?: (bytes: number, size: number) => void): Promise<BodySent> {
    const fh = await open(path, 'r');
    const body: BodySent = { read: 0, written: 0 };
    // progress is what the socket took, not what was read ahead from the disk (up to
    // fileBuffers × fileChunk more): the bar and the CLI line never pass what SENDER_FILE_CUT says
    const wrote = (n: number) => (failed?: string) => {
      if (failed !== undefined) body.failed ??= failed;
      else {
        body.written += n;
        this.hooks.sent(this.peer, n, false);
        onProgress?.(body.written, size);
      }
    };
    try {
      const pool: { buf: Buffer; free: Promise<void> }[] = [];
      for (let i = 0; body.read < size && !this.io.closed && body.failed === undefined; i = (i + 1) % fileBuffers) {
        // a small file needs one small buffer; a big one up to fileBuffers of fileChunk
        const slot = (pool[i] ??= { buf: Buffer.allocUnsafeSlow(Math.min(fileChunk, size - body.read)), free: Promise.resolve() });
        await slot.free;
        if (this.io.closed || body.failed !== undefined) break;
        const { bytesRead } = await fh.read(slot.buf, 0, Math.min(slot.buf.length, size - body.read), body.read);
        if (bytesRead === 0) break; // the file shrank
        body.read += bytesRead;
        const done = wrote(bytesRead);
        slot.free = new Promise<void>((resolve) =>
          this.io.write(slot.buf.subarray(0, bytesRead), (failed) => {
            done(failed);
            resolve();
          }),
        );
      }
      // Every write handed over (or failed) before the tail goes after it and the file is closed.
      await Promise.all(pool.map((p) => p.free));
    } finally {
      await fh.close();
    }
    return body;
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
    // A closed connection still runs what it had queued: a body saved just before the peer
    // left must be renamed and logged (its responder's sends are no-ops on a closed socket).
    while (this.queue.length) {
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
    for (const w of this.idleWaiters.splice(0)) w();
  }

  /** True while queued work runs (a file going out, a body being renamed into place). */
  get busy(): boolean {
    return this.running || this.queue.length > 0;
  }

  /** Resolves once everything queued so far has run. */
  idle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** The peer went away: nothing more is queued, the responder says goodbye. */
  gone(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.responder?.close?.(this);
    } catch (e) {
      this.note('RESPONDER_FAILED', `the responder failed: ${(e as Error).message}`, { reason: (e as Error).message });
    }
  }
}
