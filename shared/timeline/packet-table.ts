import { CaptureReader, type CaptureFormat, type FrameSink, type RawFrame, type ReadProblem } from './pcap-reader.ts';
import {
  addressText,
  blankTcpFields,
  decodeTcpFields,
  parseTcpOptions,
  sackBlocksInto,
  tsvalOf,
  type TcpFields,
  type TcpOptions,
  type TcpPacket,
} from './tcp-packet.ts';

/**
 * TCP packets as columns, one typed array per field, rather than one object each. A
 * million-packet capture read into TcpPacket objects (each holding a view of its frame) spends
 * more time in garbage collection than in decoding — the objects outlive the young generation
 * and are copied and marked again and again (bench/graphs.ts measured 0.6–0.9 s of a 1 s budget
 * for the read alone). Here the same packets are a few dozen arrays the collector never walks.
 * Each packet's option bytes are copied into one pool, so the table keeps no frame alive.
 *
 * Row i is the i-th TCP packet read; `addrs` holds each address's text once (src/dst are its index).
 */
export class PacketTable {
  length = 0;
  frame: Uint32Array;
  tsSec: Float64Array;
  tsNs: Uint32Array;
  src: Uint32Array;
  dst: Uint32Array;
  srcPort: Uint16Array;
  dstPort: Uint16Array;
  seq: Uint32Array;
  ack: Uint32Array;
  flags: Uint16Array;
  win: Uint16Array;
  len: Uint32Array;
  /** The TCP header's length (20 + options, as the data offset says). */
  hlen: Uint8Array;
  /** Where the packet's option bytes are in the pool, and how many were captured (snaplen may cut them). */
  optAt: Uint32Array;
  optLen: Uint8Array;
  /** IPv4's identification field; -1 for IPv6 and for packets added as objects (TcpPacket does not carry it). */
  ipId: Int32Array;
  readonly addrs: string[] = [];

  private pool = new Uint8Array(1 << 16);
  private poolUsed = 0;
  private readonly ids = new Map<string, number>();
  /** IPv4 addresses by their 32-bit value, so a frame's address is looked up without building its text. */
  private readonly v4Ids = new Map<number, number>();
  private readonly lastKeys = new Float64Array([-1, -1]);
  private readonly lastIds = new Uint32Array(2);
  private readonly fields: TcpFields = blankTcpFields();

  constructor(capacity = 1024) {
    const n = Math.max(16, capacity);
    this.frame = new Uint32Array(n);
    this.tsSec = new Float64Array(n);
    this.tsNs = new Uint32Array(n);
    this.src = new Uint32Array(n);
    this.dst = new Uint32Array(n);
    this.srcPort = new Uint16Array(n);
    this.dstPort = new Uint16Array(n);
    this.seq = new Uint32Array(n);
    this.ack = new Uint32Array(n);
    this.flags = new Uint16Array(n);
    this.win = new Uint16Array(n);
    this.len = new Uint32Array(n);
    this.hlen = new Uint8Array(n);
    this.optAt = new Uint32Array(n);
    this.optLen = new Uint8Array(n);
    this.ipId = new Int32Array(n);
  }

  /** The same packets as a table (the object readers' way into the columnar analysis). */
  static of(packets: readonly TcpPacket[]): PacketTable {
    const t = new PacketTable(packets.length);
    for (const p of packets) t.addPacket(p);
    return t;
  }

  /** Decodes a frame and appends it; false (and nothing appended) when it is not TCP. */
  add(f: RawFrame): boolean {
    return this.decodeAppend(f.data, 0, f.data.length, f.frame, f.tsSec, f.tsNs, f.linkType);
  }

  /** The CaptureReader's FrameSink: decodes buf[start, end) and appends it when it is TCP. */
  readonly sink: FrameSink = {
    frame: (buf, start, end, frame, tsSec, tsNs, linkType) => {
      this.decodeAppend(buf, start, end, frame, tsSec, tsNs, linkType);
    },
  };

  private decodeAppend(d: Uint8Array, start: number, end: number, frame: number, tsSec: number, tsNs: number, linkType: number): boolean {
    const o = this.fields;
    if (!decodeTcpFields(linkType, d, start, end, o)) return false;
    const i = this.row();
    this.src[i] = this.addressId(o.family, d, o.srcAt);
    this.dst[i] = this.addressId(o.family, d, o.dstAt);
    this.ipId[i] = o.ipId;
    this.put(i, frame, tsSec, tsNs, o, d, o.tcpOffset, end);
    return true;
  }

  /** Appends a packet already decoded as an object. */
  addPacket(p: TcpPacket): void {
    const i = this.row();
    this.src[i] = this.textId(p.src);
    this.dst[i] = this.textId(p.dst);
    this.ipId[i] = -1;
    this.put(i, p.frame, p.tsSec, p.tsNs, p, p.data, p.tcpOffset, p.data.length);
  }

  /** The options of row i, as tcpOptions reads them from the packet; null when the header has none. */
  options(i: number): TcpOptions | null {
    if (this.hlen[i]! <= 20) return null;
    const at = this.optAt[i]!;
    return parseTcpOptions(this.pool, at, at + this.optLen[i]!);
  }

  /** Row i's TSval (RFC 7323), or -1 when it carries no timestamps option. */
  tsval(i: number): number {
    if (this.hlen[i]! <= 20) return -1;
    const at = this.optAt[i]!;
    return tsvalOf(this.pool, at, at + this.optLen[i]!);
  }

  /** Row i's SACK blocks as left/right pairs into `out`; false when it carries no SACK option. */
  sack(i: number, out: number[]): boolean {
    if (this.hlen[i]! <= 20) {
      out.length = 0;
      return false;
    }
    const at = this.optAt[i]!;
    return sackBlocksInto(this.pool, at, at + this.optLen[i]!, out);
  }

  private put(
    i: number,
    frame: number,
    tsSec: number,
    tsNs: number,
    o: Pick<TcpFields, 'srcPort' | 'dstPort' | 'seq' | 'ack' | 'flags' | 'win' | 'len' | 'tcpHeaderLen'>,
    d: Uint8Array,
    tcpOffset: number,
    end: number,
  ): void {
    this.frame[i] = frame;
    this.tsSec[i] = tsSec;
    this.tsNs[i] = tsNs;
    this.srcPort[i] = o.srcPort;
    this.dstPort[i] = o.dstPort;
    this.seq[i] = o.seq;
    this.ack[i] = o.ack;
    this.flags[i] = o.flags;
    this.win[i] = o.win;
    this.len[i] = o.len;
    this.hlen[i] = o.tcpHeaderLen;
    const from = tcpOffset + 20;
    const n = Math.max(0, Math.min(tcpOffset + o.tcpHeaderLen, end) - from);
    if (this.poolUsed + n > this.pool.length) {
      const bigger = new Uint8Array(Math.max(this.pool.length * 2, this.poolUsed + n));
      bigger.set(this.pool.subarray(0, this.poolUsed));
      this.pool = bigger;
    }
    // A byte loop, not set(subarray): a view per packet is what this table exists to avoid.
    const pool = this.pool;
    for (let b = 0, at = this.poolUsed; b < n; b++) pool[at + b] = d[from + b]!;
    this.optAt[i] = this.poolUsed;
    this.optLen[i] = n;
    this.poolUsed += n;
  }

  private row(): number {
    if (this.length === this.frame.length) this.grow();
    return this.length++;
  }

  private grow(): void {
    this.resize(this.frame.length * 2);
  }

  /**
   * Gives back the rows reserved beyond `length`. A read reserves by the file's size (about 90
   * bytes a packet); a capture of full-size frames holds a seventeenth of that, and 54 bytes a
   * reserved row would stay held for as long as the table.
   */
  compact(): void {
    if (this.frame.length > Math.max(16, this.length) * 1.25) this.resize(Math.max(16, this.length));
  }

  private resize(n: number): void {
    const more = <T extends Column>(a: T) => grown(a, n);
    this.frame = more(this.frame);
    this.tsSec = more(this.tsSec);
    this.tsNs = more(this.tsNs);
    this.src = more(this.src);
    this.dst = more(this.dst);
    this.srcPort = more(this.srcPort);
    this.dstPort = more(this.dstPort);
    this.seq = more(this.seq);
    this.ack = more(this.ack);
    this.flags = more(this.flags);
    this.win = more(this.win);
    this.len = more(this.len);
    this.hlen = more(this.hlen);
    this.optAt = more(this.optAt);
    this.optLen = more(this.optLen);
    this.ipId = more(this.ipId);
  }

  private addressId(family: 4 | 6, d: Uint8Array, at: number): number {
    if (family === 6) return this.textId(addressText(6, d, at));
    const key = ((d[at]! << 24) | (d[at + 1]! << 16) | (d[at + 2]! << 8) | d[at + 3]!) >>> 0;
    // A connection's two addresses alternate: remember the last two before asking the map.
    if (key === this.lastKeys[0]) return this.lastIds[0]!;
    if (key === this.lastKeys[1]) return this.lastIds[1]!;
    let id = this.v4Ids.get(key);
    if (id === undefined) this.v4Ids.set(key, (id = this.textId(addressText(4, d, at))));
    this.lastKeys[1] = this.lastKeys[0]!;
    this.lastIds[1] = this.lastIds[0]!;
    this.lastKeys[0] = key;
    this.lastIds[0] = id;
    return id;
  }

  /** The index of an address's text in `addrs`, added on first sight. */
  textId(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.addrs.length;
      this.addrs.push(text);
      this.ids.set(text, id);
    }
    return id;
  }

  /** The index of an address already in the table, or -1. */
  idOf(text: string): number {
    return this.ids.get(text) ?? -1;
  }
}

type Column = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array;

/** A copy of a column with room for n rows: a table's columns double as rows arrive, and `compact` cuts them to the rows held. */
export function grown<T extends Column>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a.length > n ? (a.subarray(0, n) as T) : a);
  return b;
}

/** A whole capture read into a PacketTable (non-TCP frames skipped), as readTcpPackets reads it into objects. */
export function readPacketTable(bytes: Uint8Array): { frames: number; format: CaptureFormat | null; problem: ReadProblem | null; table: PacketTable } {
  const reader = new CaptureReader();
  // Start near the final size rather than double from 1024: a record of a cut bulk-transfer
  // frame is ~90 bytes (16 + Ethernet, IP and TCP headers with timestamps).
  const table = new PacketTable(Math.min(1 << 21, Math.ceil(bytes.length / 90)));
  reader.pushTo(bytes, table.sink);
  const problem = reader.end();
  table.compact();
  return { frames: reader.framesRead, format: reader.format, problem, table };
}
