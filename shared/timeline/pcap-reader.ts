/**
 * A streaming reader for the two capture file formats, fed chunk by chunk (a pipe from
 * tcpdump's `-w -`, or a whole file at once). Hand-written on purpose: the notes measured the
 * npm parsers (pcap-parser rejects nanosecond pcaps, pcap-ng-parser garbles options and loses
 * packets when fed small chunks).
 *
 * - pcap (libpcap): 24-byte file header whose magic says byte order and µs/ns; 16-byte record
 *   headers (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html).
 * - pcapng: blocks of type, length, body, length. The Section Header Block's byte-order magic
 *   sets the section's endianness; Interface Description Blocks give the link type and
 *   `if_tsresol`; Enhanced and Simple Packet Blocks carry the frames
 *   (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-02.html).
 */
import type { readProblemCodes } from '../contract/codes.ts';

export interface RawFrame {
  /** 1-based position in the file, as Wireshark's "No." column counts. */
  frame: number;
  /** Capture time: whole seconds since 1970 and the nanoseconds within that second (exact). */
  tsSec: number;
  tsNs: number;
  linkType: number;
  /** The captured bytes (may be shorter than the packet was: see origLen). A view into the pushed chunk: copy it to keep it past the next push if that buffer is reused. */
  data: Uint8Array;
  origLen: number;
}

/**
 * Where push's frames go without a RawFrame each: the frame is buf[start, end). The columnar
 * reader (packet-table.ts) takes frames this way, so a million-frame file makes no million views.
 */
export interface FrameSink {
  frame(buf: Uint8Array, start: number, end: number, frame: number, tsSec: number, tsNs: number, linkType: number, origLen: number): void;
}

export interface ReadProblem {
  /** Byte offset in the file where reading stopped. */
  offset: number;
  /** Frames read before the problem. */
  framesRead: number;
  /** What is wrong, as a code of shared/contract/codes.ts's readProblemCodes, and its params. */
  code: ReadProblemCode;
  params?: Record<string, string | number>;
  /** The same in English with its details, for the CLI and logs. */
  message: string;
}

export type ReadProblemCode = keyof typeof readProblemCodes;

export type CaptureFormat = 'pcap' | 'pcap-ns' | 'pcapng';

const PCAP_US = 0xa1b2c3d4;
const PCAP_NS = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BOM = 0x1a2b3c4d;
/** Larger than any real snapshot length; a record claiming more is corrupt, not big. */
const MAX_RECORD = 64 * 1024 * 1024;

interface PcapngIface {
  linkType: number;
  snapLen: number;
  /** Ticks per second from if_tsresol (default 10^6). */
  ticksPerSecond: bigint;
  tsOffsetSec: number;
}

export class CaptureReader {
  format: CaptureFormat | null = null;
  linkType: number | null = null;
  framesRead = 0;
  problem: ReadProblem | null = null;

  private buf: Uint8Array = new Uint8Array(0);
  private pos = 0;
  /** File offset of buf[0]. */
  private base = 0;
  private little = true;
  private nanos = false;
  private ifaces: PcapngIface[] = [];
  private ended = false;

  /** Parses what it can of `chunk` (plus any carried-over bytes); calls onFrame for each frame. */
  push(chunk: Uint8Array, onFrame: (frame: RawFrame) => void): void {
    this.pushTo(chunk, {
      frame: (buf, start, end, frame, tsSec, tsNs, linkType, origLen) => onFrame({ frame, tsSec, tsNs, linkType, data: buf.subarray(start, end), origLen }),
    });
  }

  /** push, with each frame handed to `sink` as where it lies in the buffer (valid only during the call). */
  pushTo(chunk: Uint8Array, sink: FrameSink): void {
    if (this.problem || this.ended) return;
    const rest = this.buf.length - this.pos;
    if (rest === 0) {
      this.base += this.buf.length;
      this.buf = chunk;
    } else {
      // A record split across two pipe reads: carry the tail over (the notes' pitfall).
      const joined = new Uint8Array(rest + chunk.length);
      joined.set(this.buf.subarray(this.pos), 0);
      joined.set(chunk, rest);
      this.base += this.pos;
      this.buf = joined;
    }
    this.pos = 0;
    const view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    if (this.format !== null || this.readFileHeader(view)) {
      if (this.format === 'pcapng') this.readBlocks(view, sink);
      else this.readRecords(view, sink);
    }
    // Copy an unfinished record: the caller may reuse its chunk buffer for the next read (and
    // Node's Buffer#slice would only be a view, so copy through the Uint8Array constructor).
    if (this.pos < this.buf.length && !this.problem) {
      this.base += this.pos;
      this.buf = new Uint8Array(this.buf.subarray(this.pos));
      this.pos = 0;
    }
  }

  /** The input is complete: bytes left over mean a truncated file. Returns the problem, if any. */
  end(): ReadProblem | null {
    this.ended = true;
    if (this.problem) return this.problem;
    const rest = this.buf.length - this.pos;
    if (this.format === null) {
      if (rest === 0) this.fail('CAPTURE_FILE_EMPTY', 'the file is empty');
      else this.fail('CAPTURE_FILE_SHORT', `only ${rest} bytes: too short for a pcap or pcapng header`, { bytes: rest });
    } else if (rest > 0) {
      const block = this.format === 'pcapng';
      this.fail(
        block ? 'CAPTURE_FILE_TRUNCATED_BLOCK' : 'CAPTURE_FILE_TRUNCATED_RECORD',
        `the file ends in the middle of a ${block ? 'block' : 'packet record'} (${rest} bytes left over): it was truncated`,
        { bytes: rest },
      );
    }
    return this.problem;
  }

  private fail(code: ReadProblemCode, message: string, params?: Record<string, string | number>): void {
    this.problem = { offset: this.base + this.pos, framesRead: this.framesRead, code, ...(params ? { params } : {}), message };
  }

  private notCapture(magic: number): void {
    const hex = `0x${magic.toString(16).padStart(8, '0')}`;
    this.fail('CAPTURE_FILE_NOT_CAPTURE', `not a capture file: it starts with ${hex} (a pcap starts with a1b2c3d4 or a1b23c4d, a pcapng with 0a0d0d0a)`, {
      magic: hex,
    });
  }

  private readFileHeader(view: DataView): boolean {
    if (view.byteLength < 4) return false;
    const magicLe = view.getUint32(0, true);
    if (magicLe === PCAPNG_SHB) {
      this.format = 'pcapng';
      return true;
    }
    if (view.byteLength < 24) {
      if (![PCAP_US, PCAP_NS].includes(magicLe) && ![PCAP_US, PCAP_NS].includes(view.getUint32(0, false))) {
        this.notCapture(view.getUint32(0, false));
      }
      return false;
    }
    const magicBe = view.getUint32(0, false);
    if (magicLe === PCAP_US || magicLe === PCAP_NS) this.little = true;
    else if (magicBe === PCAP_US || magicBe === PCAP_NS) this.little = false;
    else {
      this.notCapture(magicBe);
      return false;
    }
    this.nanos = (this.little ? magicLe : magicBe) === PCAP_NS;
    this.format = this.nanos ? 'pcap-ns' : 'pcap';
    // The link type is the low 16 bits; the upper bits may carry FCS information.
    this.linkType = view.getUint32(20, this.little) & 0xffff;
    this.pos = 24;
    return true;
  }

  private readRecords(view: DataView, sink: FrameSink): void {
    const le = this.little;
    const buf = this.buf;
    const linkType = this.linkType!;
    const fracScale = this.nanos ? 1 : 1000;
    let pos = this.pos;
    while (pos + 16 <= buf.length) {
      const incl = view.getUint32(pos + 8, le);
      if (incl > MAX_RECORD) {
        this.pos = pos;
        this.fail('CAPTURE_FILE_CORRUPT', `packet record ${this.framesRead + 1} claims ${incl} captured bytes: the file is corrupt here`);
        return;
      }
      if (pos + 16 + incl > buf.length) break;
      const frac = view.getUint32(pos + 4, le);
      this.framesRead++;
      sink.frame(buf, pos + 16, pos + 16 + incl, this.framesRead, view.getUint32(pos, le), frac * fracScale, linkType, view.getUint32(pos + 12, le));
      pos += 16 + incl;
    }
    this.pos = pos;
  }

  private readBlocks(view: DataView, sink: FrameSink): void {
    const buf = this.buf;
    while (this.pos + 12 <= buf.length) {
      const pos = this.pos;
      let type = view.getUint32(pos, this.little);
      if (view.getUint32(pos, true) === PCAPNG_SHB) {
        // A new section: its byte-order magic decides the endianness of everything after it.
        const bom = view.getUint32(pos + 8, true);
        if (bom === PCAPNG_BOM) this.little = true;
        else if (bom === 0x4d3c2b1a) this.little = false;
        else return this.fail('CAPTURE_FILE_CORRUPT', `section header with an unknown byte-order magic 0x${bom.toString(16)}: the file is corrupt here`);
        type = PCAPNG_SHB;
        this.ifaces = [];
      }
      const len = view.getUint32(pos + 4, this.little);
      if (len < 12 || len % 4 !== 0 || len > MAX_RECORD) {
        return this.fail('CAPTURE_FILE_CORRUPT', `block of type 0x${type.toString(16)} has an impossible length ${len}: the file is corrupt here`);
      }
      if (pos + len > buf.length) return;
      if (view.getUint32(pos + len - 4, this.little) !== len) {
        return this.fail('CAPTURE_FILE_CORRUPT', `block of type 0x${type.toString(16)} does not end with its own length: the file is corrupt here`);
      }
      const body = pos + 8;
      const bodyEnd = pos + len - 4;
      switch (type) {
        case 1: // Interface Description Block
          this.ifaces.push(this.readIdb(view, body, bodyEnd));
          if (this.linkType === null) this.linkType = this.ifaces[0]!.linkType;
          break;
        case 6: // Enhanced Packet Block
        case 2: {
          // the obsolete Packet Block: same layout with a 16-bit interface id
          const ifaceId = type === 6 ? view.getUint32(body, this.little) : view.getUint16(body, this.little);
          const iface = this.ifaces[ifaceId];
          if (!iface) return this.fail('CAPTURE_FILE_CORRUPT', `packet ${this.framesRead + 1} names interface ${ifaceId}, which no interface block described`);
          const caplen = view.getUint32(body + 12, this.little);
          if (body + 20 + caplen > bodyEnd)
            return this.fail('CAPTURE_FILE_CORRUPT', `packet ${this.framesRead + 1} claims ${caplen} bytes, more than its block holds`);
          const hi = view.getUint32(body + 4, this.little);
          const lo = view.getUint32(body + 8, this.little);
          this.framesRead++;
          const ts = splitTicks(hi, lo, iface);
          sink.frame(buf, body + 20, body + 20 + caplen, this.framesRead, ts.tsSec, ts.tsNs, iface.linkType, view.getUint32(body + 16, this.little));
          break;
        }
        case 3: {
          // Simple Packet Block: no interface id (always 0) and no timestamp
          const iface = this.ifaces[0];
          if (!iface) return this.fail('CAPTURE_FILE_CORRUPT', `packet ${this.framesRead + 1} comes before any interface block`);
          const origLen = view.getUint32(body, this.little);
          const caplen = Math.min(origLen, bodyEnd - body - 4, iface.snapLen || Infinity);
          this.framesRead++;
          sink.frame(buf, body + 4, body + 4 + caplen, this.framesRead, 0, 0, iface.linkType, origLen);
          break;
        }
        default: // SHB, name resolution, statistics, custom blocks: nothing a timeline needs
      }
      this.pos = pos + len;
    }
  }

  private readIdb(view: DataView, body: number, end: number): PcapngIface {
    const iface: PcapngIface = {
      linkType: view.getUint16(body, this.little),
      snapLen: view.getUint32(body + 4, this.little),
      ticksPerSecond: 1_000_000n,
      tsOffsetSec: 0,
    };
    // Options are type-length-value records, each value padded to 4 bytes; code 0 ends them.
    let p = body + 8;
    while (p + 4 <= end) {
      const code = view.getUint16(p, this.little);
      const olen = view.getUint16(p + 2, this.little);
      if (code === 0) break;
      if (code === 9 && olen >= 1) {
        // if_tsresol: high bit clear → 10^-n seconds, set → 2^-n seconds.
        const v = view.getUint8(p + 4);
        iface.ticksPerSecond = v & 0x80 ? 1n << BigInt(v & 0x7f) : 10n ** BigInt(v);
      } else if (code === 14 && olen === 8) {
        iface.tsOffsetSec = Number(view.getBigInt64(p + 4, this.little));
      }
      p += 4 + olen + ((4 - (olen % 4)) % 4);
    }
    return iface;
  }
}

function splitTicks(hi: number, lo: number, iface: PcapngIface): { tsSec: number; tsNs: number } {
  if (iface.ticksPerSecond === 1_000_000n) {
    // µs since 1970 stays below 2^53: plain numbers are exact and much cheaper than BigInt.
    const us = hi * 4294967296 + lo;
    const sec = Math.floor(us / 1e6);
    return { tsSec: sec + iface.tsOffsetSec, tsNs: (us - sec * 1e6) * 1000 };
  }
  const ticks = (BigInt(hi) << 32n) | BigInt(lo);
  const sec = ticks / iface.ticksPerSecond;
  const ns = ((ticks % iface.ticksPerSecond) * 1_000_000_000n) / iface.ticksPerSecond;
  return { tsSec: Number(sec) + iface.tsOffsetSec, tsNs: Number(ns) };
}

/** Reads a whole capture held in memory. */
export function readCapture(bytes: Uint8Array): { frames: RawFrame[]; format: CaptureFormat | null; problem: ReadProblem | null } {
  const reader = new CaptureReader();
  const frames: RawFrame[] = [];
  reader.push(bytes, (f) => frames.push(f));
  const problem = reader.end();
  return { frames, format: reader.format, problem };
}
