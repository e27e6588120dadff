import type { WirelabError } from '../../../shared/contract/errors.ts';
import { concat, type StreamPiece } from '../../../shared/sender/framing.ts';
import { numberedName, safeFileName } from '../../../shared/sender/save-name.ts';
import type { Connection } from './responders/connection.ts';
import type { NoteParams } from './responders/responder.ts';
import { SaveWriter, type SavedBody } from './save-file.ts';

/** Where a session's bodies go on disk, and its count of numbered names. */
export interface SaveTarget {
  dir: string;
  overwrite: boolean;
  /** The next number for a body without a usable name (message-0001.bin …), per session. */
  nextNumber(): number;
}

export interface IntakeHooks {
  /** A decoded message for the log: its bytes (empty when it went to disk), header, and where it was saved. */
  message(bytes: Uint8Array, header: Record<string, unknown> | undefined, saved: SavedBody | null): void;
  note(code: string, message: string, params?: NoteParams): void;
}

const empty = new Uint8Array(0);

/**
 * One connection's incoming messages in streaming mode (FrameDecoder.pushStream): a body bound
 * for disk is written piece by piece to its `.part` file (the socket paused while the disk is
 * behind), renamed when complete and logged as `SENDER_SAVED`; a body kept in memory is logged
 * as a message. Either reaches the responder in the order the messages came, through the
 * connection's queue, with `saved` telling it where a body went.
 */
export class BodyIntake {
  private current: { header: Record<string, unknown> | undefined; writer: SaveWriter | null; parts: Uint8Array[] } | null = null;

  constructor(
    private readonly target: SaveTarget,
    private readonly conn: Connection,
    private readonly hooks: IntakeHooks,
  ) {}

  take(pieces: StreamPiece[]): void {
    for (const p of pieces) {
      if (p.kind === 'start') this.start(p.header, p.toDisk);
      else if (p.kind === 'body') this.body(p.bytes);
      else this.end();
    }
  }

  private start(header: Record<string, unknown> | undefined, toDisk: boolean): void {
    let writer: SaveWriter | null = null;
    if (toDisk) {
      const given = header?.['filename'];
      const safe = safeFileName(given);
      const name = safe.name ?? numberedName(this.target.nextNumber());
      if (safe.problem)
        this.hooks.note('SAVE_NAME_CHANGED', `the file name ${JSON.stringify(given)} could not be used as it is (${safe.problem}); saving as ${name}`, {
          given: String(given),
          name,
          reason: safe.problem,
          variant: safe.problem,
        });
      writer = new SaveWriter(this.target.dir, name, this.target.overwrite, (e: WirelabError) => this.hooks.note(e.code, e.message, e.params ?? {}));
    }
    this.current = { header, writer, parts: [] };
  }

  private body(bytes: Uint8Array): void {
    const c = this.current;
    if (!c) return;
    if (!c.writer) {
      c.parts.push(bytes);
      return;
    }
    if (!c.writer.write(bytes)) {
      // the disk is behind the network: stop reading until it catches up (TCP holds the peer)
      this.conn.hold('disk');
      void c.writer.drained().then(() => this.conn.release('disk'));
    }
  }

  private end(): void {
    const c = this.current;
    this.current = null;
    if (!c) return;
    const { conn, hooks } = this;
    if (!c.writer) {
      const bytes = c.parts.length === 1 ? c.parts[0]! : concat(c.parts);
      conn.enqueue(bytes.length, () => {
        hooks.message(bytes, c.header, null);
        return conn.responder?.message(c.header ? { bytes, header: c.header } : { bytes }, conn);
      });
      return;
    }
    const writer = c.writer;
    conn.enqueue(0, async () => {
      const saved = await writer.finish();
      hooks.message(empty, c.header, saved);
      if (!saved) return; // the write failed: said when it did (SAVE_DISK_FULL …); nothing to hand on
      hooks.note('SENDER_SAVED', `saved ${saved.name} (${saved.bytes.toLocaleString('en-US')} bytes, sha256 ${saved.sha256})`, {
        name: saved.name,
        bytes: saved.bytes,
        sha256: saved.sha256,
      });
      await conn.responder?.message({ bytes: empty, ...(c.header ? { header: c.header } : {}), saved }, conn);
    });
  }

  /** The stream ended with a body half-received (or broke): its `.part` is removed, never renamed. */
  abort(): void {
    const c = this.current;
    this.current = null;
    if (c?.writer) void c.writer.abort();
  }

  /** Raw framing has no boundaries: a connection's whole stream is one body, ended by the peer's close. */
  get open(): boolean {
    return this.current !== null;
  }
}
