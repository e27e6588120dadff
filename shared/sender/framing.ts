import { z } from 'zod';
import { ErrorCode, WirelabError } from '../contract/errors.ts';

/**
 * How messages are cut out of a TCP byte stream. TCP keeps no message boundaries: three quick
 * send() calls can arrive as one recv() ("粘包", the sticky-packet problem in the course notes),
 * and one send can arrive in pieces. A framing rule puts the boundaries back.
 */
export const framingSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('raw') }),
  /** Messages end with a delimiter (a line ending, by default). */
  z.object({ kind: z.literal('delimiter'), delimiter: z.string().min(1).max(16).default('\n') }),
  z.object({
    kind: z.literal('fixed'),
    size: z
      .number()
      .int()
      .min(1)
      .max(16 * 1024 * 1024),
  }),
  /**
   * A length before each message. The seeds use `struct.pack('i', n)`: 4 bytes, little-endian
   * (x86's native order), signed.
   */
  z.object({
    kind: z.literal('length'),
    bytes: z.union([z.literal(1), z.literal(2), z.literal(4), z.literal(8)]),
    endian: z.enum(['be', 'le']),
    includesPrefix: z.boolean().default(false),
  }),
  /** The seeds' header protocol: 4-byte LE length of a JSON header, the header, then a body of header[sizeKey] bytes. */
  z.object({ kind: z.literal('header-json'), sizeKey: z.string().min(1).max(64).default('data_size') }),
]);
export type Framing = z.infer<typeof framingSchema>;

/** The names the CLI accepts (`--frame`), a public interface. */
export const framingNames = ['raw', 'line', 'len32le', 'len32be', 'len16be', 'header-json'] as const;
export type FramingName = (typeof framingNames)[number];

export function framingByName(name: string): Framing {
  switch (name) {
    case 'raw':
      return { kind: 'raw' };
    case 'line':
      return { kind: 'delimiter', delimiter: '\n' };
    case 'len32le':
      return { kind: 'length', bytes: 4, endian: 'le', includesPrefix: false };
    case 'len32be':
      return { kind: 'length', bytes: 4, endian: 'be', includesPrefix: false };
    case 'len16be':
      return { kind: 'length', bytes: 2, endian: 'be', includesPrefix: false };
    case 'header-json':
      return { kind: 'header-json', sizeKey: 'data_size' };
    default:
      throw new WirelabError(ErrorCode.invalidInput, `frame: "${name}" is not a framing; use one of ${framingNames.join(', ')}`, 'frame');
  }
}

/** Frames larger than this are refused rather than allocated: a garbage length must not eat memory. */
export const defaultMaxFrame = 16 * 1024 * 1024;

/**
 * What the partial (not yet complete) frames of all connections of one host may hold together:
 * four frames at the per-frame cap. The attack — 40 peers each announcing a frame just
 * under 16 MiB — took the host from 211 MB to 919 MB; with this budget the fifth is refused.
 */
export const partialFramesBudget = 64 * 1024 * 1024;

const utf8 = new TextEncoder();
const empty = new Uint8Array(0);

/** Joins byte arrays into one. */
export function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function writeLength(n: number, bytes: 1 | 2 | 4 | 8, endian: 'be' | 'le'): Uint8Array {
  const max = bytes === 8 ? Number.MAX_SAFE_INTEGER : 2 ** (bytes * 8) - 1;
  // A 4-byte prefix is read back as a signed int by the seeds' struct.unpack('i'), so stay below 2^31.
  const limit = bytes === 4 ? 2 ** 31 - 1 : max;
  if (n > limit) throw new WirelabError(ErrorCode.invalidInput, `payload: ${n} bytes do not fit a ${bytes}-byte length prefix (at most ${limit})`, 'payload');
  const out = new Uint8Array(bytes);
  const view = new DataView(out.buffer);
  const le = endian === 'le';
  if (bytes === 1) view.setUint8(0, n);
  else if (bytes === 2) view.setUint16(0, n, le);
  else if (bytes === 4) view.setUint32(0, n, le);
  else view.setBigUint64(0, BigInt(n), le);
  return out;
}

/**
 * What goes before and after a body of `size` bytes in this framing: a length prefix or a JSON
 * header (`header`'s fields beside the computed size key), a delimiter, a fixed frame's padding.
 * A body streamed from disk is sent as head, the file, tail — never held whole in memory.
 */
export function frameParts(framing: Framing, size: number, header: Record<string, unknown> = {}): { head: Uint8Array; tail: Uint8Array } {
  switch (framing.kind) {
    case 'raw':
      return { head: empty, tail: empty };
    case 'delimiter':
      return { head: empty, tail: utf8.encode(framing.delimiter) };
    case 'fixed':
      if (size > framing.size) throw new WirelabError(ErrorCode.invalidInput, `payload: ${size} bytes do not fit a fixed frame of ${framing.size}`, 'payload');
      return { head: empty, tail: new Uint8Array(framing.size - size) };
    case 'length':
      return { head: writeLength(size + (framing.includesPrefix ? framing.bytes : 0), framing.bytes, framing.endian), tail: empty };
    case 'header-json': {
      // the size key is always computed: a size typed into the extra fields cannot lie about the body
      const head = utf8.encode(JSON.stringify({ ...header, [framing.sizeKey]: size }));
      return { head: concat([writeLength(head.length, 4, 'le'), head]), tail: empty };
    }
  }
}

/** Wraps one message for sending. */
export function encodeFrame(framing: Framing, payload: Uint8Array, header: Record<string, unknown> = {}): Uint8Array {
  if (framing.kind === 'raw') return payload;
  const { head, tail } = frameParts(framing, payload.length, header);
  return concat([head, payload, tail]);
}

export interface DecodedMessage {
  bytes: Uint8Array;
  /** The JSON header, for header-json framing. */
  header?: Record<string, unknown>;
}

export interface FrameProblem {
  code: 'FRAME_TOO_LARGE' | 'FRAME_BAD_HEADER' | 'FRAME_TRUNCATED' | 'FRAME_BAD_LENGTH' | 'FRAME_BUDGET';
  message: string;
  /** What the renderer words the code from (shared/contract/codes.ts), `variant` picking the sentence. */
  params: Record<string, string | number>;
}

/**
 * One memory budget for the partial frames of every connection a host holds. A per-frame cap
 * alone lets 40 peers that each announce a frame just under it hold 40 × 16 MiB; with a shared
 * budget a frame that would take it past the cap is refused (FRAME_BUDGET) and its connection
 * closed, and what a decoder held is given back when its frame completes or its peer goes.
 */
export class FrameBudget {
  used = 0;
  constructor(readonly capacity: number) {}

  /** Takes `n` more bytes if they fit. */
  take(n: number): boolean {
    if (this.used + n > this.capacity) return false;
    this.used += n;
    return true;
  }

  give(n: number): void {
    this.used = Math.max(0, this.used - n);
  }
}

/** A frame whose size is known, being filled in place (one allocation, no re-copying per chunk). */
interface Fill {
  bytes: Uint8Array;
  at: number;
  /** Bytes of length prefix or JSON header already taken for this frame (for the truncation report). */
  prefix: number;
  header?: Record<string, unknown>;
}

/**
 * Cuts messages out of a byte stream fed chunk by chunk. After a problem the stream has lost
 * its boundaries, so the decoder stops and reports instead of guessing; its memory goes back
 * to the budget at once.
 */
export class FrameDecoder {
  /** Unconsumed bytes at [0, accLen) of storage that grows by doubling (not a concat per chunk). */
  private acc: Uint8Array = empty;
  private accLen = 0;
  /** Delimiter framing: bytes at the start of `acc` already searched without finding one. */
  private scanned = 0;
  private fill: Fill | null = null;
  /** Bytes this decoder holds in the shared budget. */
  private held = 0;
  problem: FrameProblem | null = null;
  private readonly delimiter: Uint8Array | null;

  constructor(
    readonly framing: Framing,
    readonly maxFrame = defaultMaxFrame,
    private readonly budget: FrameBudget | null = null,
  ) {
    this.delimiter = framing.kind === 'delimiter' ? utf8.encode(framing.delimiter) : null;
  }

  /** Bytes received that are not yet a whole message. */
  get buffered(): number {
    return this.accLen + (this.fill ? this.fill.prefix + this.fill.at : 0);
  }

  push(chunk: Uint8Array): DecodedMessage[] {
    if (this.problem) return [];
    if (this.framing.kind === 'raw') return chunk.length ? [{ bytes: chunk }] : [];
    const out: DecodedMessage[] = [];
    if (this.fill) {
      const f = this.fill;
      const n = Math.min(chunk.length, f.bytes.length - f.at);
      f.bytes.set(chunk.subarray(0, n), f.at);
      f.at += n;
      if (f.at < f.bytes.length) return out;
      this.fill = null;
      out.push(f.header ? { bytes: f.bytes, header: f.header } : { bytes: f.bytes });
      chunk = chunk.subarray(n);
    }
    // Nothing buffered: parse straight from the chunk; otherwise append and parse the whole.
    let buf: Uint8Array;
    if (this.accLen === 0) buf = chunk;
    else {
      this.append(chunk);
      buf = this.acc.subarray(0, this.accLen);
    }
    let offset = 0;
    while (!this.problem && !this.fill) {
      const taken = this.next(buf, offset, out);
      if (taken === 0) break;
      offset += taken;
    }
    if (this.problem) return this.drop(out);
    const rest = buf.length - offset;
    if (rest === 0) {
      this.acc = empty;
      this.accLen = 0;
    } else if (buf === chunk || offset > 0) {
      // a copy, so a small remainder never keeps a large chunk (or Node's pooled slab) alive
      this.acc = buf.slice(offset);
      this.accLen = rest;
    }
    const fill = this.fill as Fill | null; // next() may have started one
    if (!this.hold(fill ? fill.bytes.length : this.acc.length)) {
      this.fail('FRAME_BUDGET', `partial frames on all connections would hold over the ${this.budget!.capacity}-byte budget; refusing this one`, {
        variant: 'partial',
        capacity: this.budget!.capacity,
      });
      return this.drop(out);
    }
    return out;
  }

  /** The connection is gone: give back its memory. */
  dispose(): void {
    this.acc = empty;
    this.accLen = 0;
    this.fill = null;
    this.hold(0);
  }

  private drop(out: DecodedMessage[]): DecodedMessage[] {
    this.dispose();
    return out;
  }

  /** Sets this decoder's share of the budget to `n` bytes; false when more would not fit. */
  private hold(n: number): boolean {
    if (!this.budget) return true;
    if (n > this.held && !this.budget.take(n - this.held)) return false;
    if (n < this.held) this.budget.give(this.held - n);
    this.held = n;
    return true;
  }

  private append(chunk: Uint8Array): void {
    const need = this.accLen + chunk.length;
    if (need > this.acc.length) {
      const grown = new Uint8Array(Math.max(need, Math.min(this.acc.length * 2, this.maxFrame + 64 * 1024)));
      grown.set(this.acc.subarray(0, this.accLen));
      this.acc = grown;
    }
    this.acc.set(chunk, this.accLen);
    this.accLen = need;
  }

  private fail(code: FrameProblem['code'], message: string, params: Record<string, string | number>): number {
    this.problem = { code, message, params };
    return 0;
  }

  /**
   * A frame of `size` bytes starts at `from` and is not all here: reserve it in the budget,
   * allocate it once, and fill it from later chunks. Consumes everything from `offset`.
   */
  private startFill(buf: Uint8Array, offset: number, from: number, size: number, header?: Record<string, unknown>): number {
    if (!this.hold(size)) {
      const b = this.budget!;
      return this.fail(
        'FRAME_BUDGET',
        `a frame announces ${size} bytes, but partial frames on all connections already hold ${b.used} of the ${b.capacity}-byte budget; refusing it`,
        { variant: 'announced', size, used: b.used, capacity: b.capacity },
      );
    }
    const f: Fill = { bytes: new Uint8Array(size), at: buf.length - from, prefix: from - offset };
    if (header) f.header = header;
    f.bytes.set(buf.subarray(from), 0);
    this.fill = f;
    return buf.length - offset;
  }

  /** Tries to take one message starting at `offset`; returns the bytes consumed (0: need more). */
  private next(buf: Uint8Array, offset: number, out: DecodedMessage[]): number {
    const f = this.framing;
    const avail = buf.length - offset;
    if (avail <= 0) return 0;
    const view = new DataView(buf.buffer, buf.byteOffset + offset, avail);
    switch (f.kind) {
      case 'raw':
        return 0;
      case 'delimiter': {
        const d = this.delimiter!;
        const at = indexOf(buf, d, offset + this.scanned);
        if (at < 0) {
          this.scanned = Math.max(0, avail - d.length + 1);
          if (avail > this.maxFrame)
            return this.fail('FRAME_TOO_LARGE', `no "${printable(f.delimiter)}" within ${this.maxFrame} bytes; is the framing right?`, {
              variant: 'delimiter',
              delimiter: printable(f.delimiter),
              max: this.maxFrame,
            });
          return 0;
        }
        this.scanned = 0;
        out.push({ bytes: buf.slice(offset, at) });
        return at - offset + d.length;
      }
      case 'fixed':
        if (avail < f.size) return this.startFill(buf, offset, offset, f.size);
        out.push({ bytes: buf.slice(offset, offset + f.size) });
        return f.size;
      case 'length': {
        if (avail < f.bytes) return 0;
        const le = f.endian === 'le';
        let n: number;
        if (f.bytes === 1) n = view.getUint8(0);
        else if (f.bytes === 2) n = view.getUint16(0, le);
        else if (f.bytes === 4) n = view.getInt32(0, le);
        else n = Number(view.getBigUint64(0, le));
        const body = f.includesPrefix ? n - f.bytes : n;
        if (n < 0 || body < 0)
          return this.fail('FRAME_BAD_LENGTH', `a frame announces ${n} bytes, which is not a possible length; the stream is out of step`, {
            variant: 'length',
            size: n,
          });
        if (body > this.maxFrame)
          return this.fail('FRAME_TOO_LARGE', `a frame announces ${body} bytes, over the ${this.maxFrame}-byte cap; refusing to allocate it`, {
            variant: 'length',
            size: body,
            max: this.maxFrame,
          });
        if (avail < f.bytes + body) return this.startFill(buf, offset, offset + f.bytes, body);
        out.push({ bytes: buf.slice(offset + f.bytes, offset + f.bytes + body) });
        return f.bytes + body;
      }
      case 'header-json': {
        if (avail < 4) return 0;
        const headLen = view.getInt32(0, true);
        if (headLen < 0 || headLen > 1024 * 1024)
          return this.fail('FRAME_BAD_LENGTH', `a header announces ${headLen} bytes, which is not a plausible JSON header`, {
            variant: 'header',
            size: headLen,
          });
        if (avail < 4 + headLen) return 0;
        let header: unknown;
        try {
          header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(offset + 4, offset + 4 + headLen)));
        } catch {
          return this.fail('FRAME_BAD_HEADER', `the ${headLen}-byte header is not UTF-8 JSON`, { variant: 'json', size: headLen });
        }
        const size = typeof header === 'object' && header !== null ? (header as Record<string, unknown>)[f.sizeKey] : undefined;
        if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
          return this.fail('FRAME_BAD_HEADER', `the JSON header has no whole-number "${f.sizeKey}"`, { variant: 'size-key', key: f.sizeKey });
        }
        if (size > this.maxFrame)
          return this.fail('FRAME_TOO_LARGE', `the header announces a ${size}-byte body, over the ${this.maxFrame}-byte cap`, {
            variant: 'header',
            size,
            max: this.maxFrame,
          });
        const start = offset + 4 + headLen;
        if (avail < 4 + headLen + size) return this.startFill(buf, offset, start, size, header as Record<string, unknown>);
        out.push({ bytes: buf.slice(start, start + size), header: header as Record<string, unknown> });
        return 4 + headLen + size;
      }
    }
  }

  /** The peer closed: anything half-received is reported, never silently dropped. */
  end(): FrameProblem | null {
    if (this.problem) return this.problem;
    if (this.framing.kind === 'raw') return null;
    const f = this.fill;
    if (this.accLen > 0 || f) {
      const got = f?.header ? f.at : this.buffered;
      const want = f?.header ? `a ${f.bytes.length}-byte body` : 'a whole frame';
      this.problem = { code: 'FRAME_TRUNCATED', message: `the peer closed after ${got} bytes of ${want}`, params: { got, want } };
    }
    this.dispose();
    return this.problem;
  }
}

function indexOf(hay: Uint8Array, needle: Uint8Array, from: number): number {
  if (needle.length === 1) return hay.indexOf(needle[0]!, from);
  outer: for (let i = from; i <= hay.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function printable(s: string): string {
  return s.replace(/\r/g, '\\r').replace(/\n/g, '\\n').replace(/\t/g, '\\t');
}

/** A short technical description of a framing, for labels ("length 2 B BE, incl. prefix"). */
export function describeFraming(f: Framing): string {
  switch (f.kind) {
    case 'raw':
      return 'raw';
    case 'delimiter':
      return `delimiter ${f.delimiter.replace(/\r/g, '\\r').replace(/\n/g, '\\n').replace(/\t/g, '\\t')}`;
    case 'fixed':
      return `fixed ${f.size} B`;
    case 'length':
      return `length ${f.bytes} B ${f.endian.toUpperCase()}${f.includesPrefix ? ', incl. prefix' : ''}`;
    case 'header-json':
      return `JSON header (${f.sizeKey})`;
  }
}
