import { CaptureReader, type CaptureFormat, type RawFrame, type ReadProblem } from './pcap-reader.ts';
import { formatIPv6 } from '../subnet/ip.ts';

/** The TCP header's fields as numbers: what every reader decodes from a frame. */
export interface TcpHeaderFields {
  family: 4 | 6;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** The flag bits: FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20, ECE 0x40, CWR 0x80, AE 0x100. */
  flags: number;
  /** The window field as sent (unscaled). */
  win: number;
  /** Payload bytes, from the IP length (never from the captured length, which snaplen may cut). */
  len: number;
  /** Where the TCP header starts in `data`, and its length (20 + options). */
  tcpOffset: number;
  tcpHeaderLen: number;
}

/**
 * One captured frame decoded down to its TCP header: link layer → IPv4/IPv6 → TCP.
 * Only what the timeline needs is decoded eagerly; options are parsed on demand.
 */
export interface TcpPacket extends TcpHeaderFields {
  frame: number;
  tsSec: number;
  tsNs: number;
  src: string;
  dst: string;
  data: Uint8Array;
  /** The packet's length on the wire (the record's original length; `data` may be cut by snaplen). */
  origLen: number;
}

export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK = 0x10;
export const URG = 0x20;
export const ECE = 0x40;
export const CWR = 0x80;
export const AE = 0x100;

const flagNames: [number, string][] = [
  [FIN, 'FIN'],
  [SYN, 'SYN'],
  [RST, 'RST'],
  [PSH, 'PSH'],
  [ACK, 'ACK'],
  [URG, 'URG'],
  [ECE, 'ECE'],
  [CWR, 'CWR'],
  [AE, 'AE'],
];

/** Flag names in bit order, the order Wireshark prints them: SYN+ACK → ["SYN", "ACK"]. */
export function flagList(flags: number): string[] {
  const out: string[] = [];
  for (const [bit, name] of flagNames) if (flags & bit) out.push(name);
  return out;
}

/** Link-layer header types (https://www.tcpdump.org/linktypes.html). */
export const LinkType = { NULL: 0, EN10MB: 1, RAW: 101, LOOP: 108, LINUX_SLL: 113, IPV4: 228, IPV6: 229, LINUX_SLL2: 276 } as const;

const v4Names = new Map<number, string>();
function ipv4Text(d: Uint8Array, o: number): string {
  const key = ((d[o]! << 24) | (d[o + 1]! << 16) | (d[o + 2]! << 8) | d[o + 3]!) >>> 0;
  let s = v4Names.get(key);
  if (s === undefined) {
    s = `${d[o]}.${d[o + 1]}.${d[o + 2]}.${d[o + 3]}`;
    if (v4Names.size < 65536) v4Names.set(key, s);
  }
  return s;
}

const v6Names = new Map<string, string>();
function ipv6Text(d: Uint8Array, o: number): string {
  let key = '';
  for (let i = 0; i < 16; i++) key += String.fromCharCode(d[o + i]!);
  let s = v6Names.get(key);
  if (s === undefined) {
    let value = 0n;
    for (let i = 0; i < 16; i++) value = (value << 8n) | BigInt(d[o + i]!);
    s = formatIPv6(value);
    if (v6Names.size < 65536) v6Names.set(key, s);
  }
  return s;
}

/** Offset in d of the IP header of the frame d[o, end) for a link type, or -1 when the frame is not IP. */
function ipOffset(linkType: number, d: Uint8Array, o: number, end: number): number {
  switch (linkType) {
    case LinkType.EN10MB: {
      let off = o + 12;
      let type = (d[off]! << 8) | d[off + 1]!;
      // 802.1Q / 802.1ad VLAN tags: skip each 4-byte tag.
      while ((type === 0x8100 || type === 0x88a8) && off + 6 <= end) {
        off += 4;
        type = (d[off]! << 8) | d[off + 1]!;
      }
      return type === 0x0800 || type === 0x86dd ? off + 2 : -1;
    }
    case LinkType.LINUX_SLL: {
      const type = (d[o + 14]! << 8) | d[o + 15]!;
      return type === 0x0800 || type === 0x86dd ? o + 16 : -1;
    }
    case LinkType.LINUX_SLL2: {
      const type = (d[o]! << 8) | d[o + 1]!;
      return type === 0x0800 || type === 0x86dd ? o + 20 : -1;
    }
    case LinkType.NULL:
    case LinkType.LOOP: {
      // A 4-byte address family: host byte order for NULL (so either), big-endian for LOOP.
      // AF_INET is 2 everywhere; AF_INET6 is 10 (Linux), 24 (NetBSD…), 28 (FreeBSD), 30 (macOS).
      const le = d[o]! | (d[o + 1]! << 8);
      const be = (d[o + 2]! << 8) | d[o + 3]!;
      const af = linkType === LinkType.LOOP ? be : le || be;
      return af === 2 || af === 10 || af === 24 || af === 28 || af === 30 ? o + 4 : -1;
    }
    case LinkType.RAW:
    case 12:
    case 14:
    case LinkType.IPV4:
    case LinkType.IPV6:
      return o;
    default:
      return -1;
  }
}

/**
 * A frame's TCP header fields, and where the addresses start in the frame rather than their
 * text: what both the object reader and the columnar table take from a frame.
 */
export interface TcpFields extends TcpHeaderFields {
  srcAt: number;
  dstAt: number;
  /** The IPv4 header's identification field; -1 for IPv6 (which has none outside a fragment header). */
  ipId: number;
}

/** A TcpFields for decodeTcpFields to fill (each reader keeps one and reuses it for every frame). */
export const blankTcpFields = (): TcpFields => ({
  family: 4,
  srcAt: 0,
  dstAt: 0,
  ipId: -1,
  srcPort: 0,
  dstPort: 0,
  seq: 0,
  ack: 0,
  flags: 0,
  win: 0,
  len: 0,
  tcpOffset: 0,
  tcpHeaderLen: 0,
});

const scratch = blankTcpFields();

/**
 * The one decoder: the frame d[o, end), link layer → IPv4/IPv6 → TCP, into `out` (offsets in d);
 * false for anything else (ARP, UDP, a non-first fragment, a cut header).
 */
export function decodeTcpFields(linkType: number, d: Uint8Array, o: number, end: number, out: TcpFields): boolean {
  const ip = ipOffset(linkType, d, o, end);
  if (ip < 0 || ip + 20 > end) return false;
  const version = d[ip]! >> 4;
  let tcp: number;
  let tcpTotal: number;
  if (version === 4) {
    const ihl = (d[ip]! & 0x0f) * 4;
    if (d[ip + 9] !== 6 || ihl < 20) return false;
    // Only the first fragment carries the TCP header.
    if ((((d[ip + 6]! & 0x1f) << 8) | d[ip + 7]!) !== 0) return false;
    const total = (d[ip + 2]! << 8) | d[ip + 3]!;
    out.family = 4;
    out.ipId = (d[ip + 4]! << 8) | d[ip + 5]!;
    out.srcAt = ip + 12;
    out.dstAt = ip + 16;
    tcp = ip + ihl;
    // A total length of 0 is what segmentation offload leaves in some captures: use what was captured.
    tcpTotal = total === 0 ? end - tcp : total - ihl;
  } else if (version === 6) {
    if (ip + 40 > end) return false;
    const payload = (d[ip + 4]! << 8) | d[ip + 5]!;
    let next = d[ip + 6]!;
    let p = ip + 40;
    // Extension headers (RFC 8200 §4): hop-by-hop 0, routing 43, fragment 44, AH 51, destination 60.
    while (next !== 6) {
      if (p + 8 > end) return false;
      if (next === 0 || next === 43 || next === 60) {
        const n = d[p]!;
        p += (d[p + 1]! + 1) * 8;
        next = n;
      } else if (next === 44) {
        if ((((d[p + 2]! << 8) | d[p + 3]!) & 0xfff8) !== 0) return false;
        next = d[p]!;
        p += 8;
      } else if (next === 51) {
        const n = d[p]!;
        p += (d[p + 1]! + 2) * 4;
        next = n;
      } else return false;
    }
    out.family = 6;
    out.ipId = -1;
    out.srcAt = ip + 8;
    out.dstAt = ip + 24;
    tcp = p;
    tcpTotal = payload === 0 ? end - tcp : payload - (p - ip - 40);
  } else return false;
  if (tcp + 20 > end) return false;
  const hlen = (d[tcp + 12]! >> 4) * 4;
  if (hlen < 20) return false;
  out.srcPort = (d[tcp]! << 8) | d[tcp + 1]!;
  out.dstPort = (d[tcp + 2]! << 8) | d[tcp + 3]!;
  out.seq = ((d[tcp + 4]! << 24) | (d[tcp + 5]! << 16) | (d[tcp + 6]! << 8) | d[tcp + 7]!) >>> 0;
  out.ack = ((d[tcp + 8]! << 24) | (d[tcp + 9]! << 16) | (d[tcp + 10]! << 8) | d[tcp + 11]!) >>> 0;
  out.flags = ((d[tcp + 12]! & 1) << 8) | d[tcp + 13]!;
  out.win = (d[tcp + 14]! << 8) | d[tcp + 15]!;
  out.len = Math.max(0, tcpTotal - hlen);
  out.tcpOffset = tcp;
  out.tcpHeaderLen = hlen;
  return true;
}

export const addressText = (family: 4 | 6, d: Uint8Array, at: number) => (family === 4 ? ipv4Text(d, at) : ipv6Text(d, at));

/** Decodes a frame's TCP segment; null for anything else (ARP, UDP, a non-first fragment, a cut header). */
export function decodeTcp(f: RawFrame): TcpPacket | null {
  const d = f.data;
  const o = scratch;
  if (!decodeTcpFields(f.linkType, d, 0, d.length, o)) return null;
  return {
    frame: f.frame,
    tsSec: f.tsSec,
    tsNs: f.tsNs,
    family: o.family,
    src: addressText(o.family, d, o.srcAt),
    dst: addressText(o.family, d, o.dstAt),
    srcPort: o.srcPort,
    dstPort: o.dstPort,
    seq: o.seq,
    ack: o.ack,
    flags: o.flags,
    win: o.win,
    len: o.len,
    tcpOffset: o.tcpOffset,
    tcpHeaderLen: o.tcpHeaderLen,
    data: d,
    origLen: f.origLen,
  };
}

/**
 * A whole capture held in memory, read down to its TCP packets (non-TCP frames are skipped).
 * Each frame is decoded as the reader hands it over rather than kept in a list first: a
 * million-frame capture then keeps no million RawFrame objects alive (they die young, which the
 * garbage collector's scavenger handles cheaply), and `frames` is only their count.
 */
export function readTcpPackets(bytes: Uint8Array): { frames: number; format: CaptureFormat | null; problem: ReadProblem | null; packets: TcpPacket[] } {
  const reader = new CaptureReader();
  const packets: TcpPacket[] = [];
  reader.push(bytes, (f) => {
    const p = decodeTcp(f);
    if (p) packets.push(p);
  });
  const problem = reader.end();
  return { frames: reader.framesRead, format: reader.format, problem, packets };
}

export interface TcpOptions {
  mss?: number;
  /** Window scale shift count (RFC 7323 §2). */
  wscale?: number;
  sackPermitted?: boolean;
  /** SACK blocks as [left, right) absolute sequence numbers (RFC 2018). */
  sack?: [number, number][];
  tsval?: number;
  tsecr?: number;
  /** Option kinds present, in order, by name (NOP and unknown kinds included). */
  kinds: string[];
}

const kindNames: Record<number, string> = { 0: 'EOL', 1: 'NOP', 2: 'MSS', 3: 'WS', 4: 'SACK_PERM', 5: 'SACK', 8: 'TS', 30: 'MPTCP', 34: 'TFO' };

const NOP_NOP_TS = Object.freeze(['NOP', 'NOP', 'TS']) as string[];

/** A big-endian 32-bit field; top-level so parsing a segment's options creates no closure. */
const u32 = (d: Uint8Array, o: number) => ((d[o]! << 24) | (d[o + 1]! << 16) | (d[o + 2]! << 8) | d[o + 3]!) >>> 0;

/** Parses the options between the fixed header and the data offset (RFC 9293 §3.1). */
export function tcpOptions(p: TcpPacket): TcpOptions {
  return parseTcpOptions(p.data, p.tcpOffset + 20, Math.min(p.tcpOffset + p.tcpHeaderLen, p.data.length));
}

/** What nearly every segment of a Linux connection carries: NOP, NOP, timestamps (RFC 7323 §3). */
const isNopNopTs = (d: Uint8Array, i: number, end: number) => end - i === 12 && d[i] === 1 && d[i + 1] === 1 && d[i + 2] === 8 && d[i + 3] === 10;

/**
 * The length of the option at d[i] (1 for a NOP); 0 where the list ends there: EOL, or a length
 * that is impossible or runs past `end` (RFC 9293 §3.2).
 */
function optionLength(d: Uint8Array, i: number, end: number): number {
  const kind = d[i]!;
  if (kind === 0) return 0;
  if (kind === 1) return 1;
  const len = d[i + 1] ?? 0;
  return len < 2 || i + len > end ? 0 : len;
}

/** The options in d[i, end): what tcpOptions reads from a packet and a PacketTable from its option bytes. */
export function parseTcpOptions(d: Uint8Array, i: number, end: number): TcpOptions {
  if (isNopNopTs(d, i, end)) return { tsval: u32(d, i + 4), tsecr: u32(d, i + 8), kinds: NOP_NOP_TS };
  const out: TcpOptions = { kinds: [] };
  for (let len = 0; i < end; i += len) {
    const kind = d[i]!;
    out.kinds.push(kindNames[kind] ?? `kind ${kind}`);
    len = optionLength(d, i, end);
    if (len === 0) break;
    if (kind === 2 && len === 4) out.mss = (d[i + 2]! << 8) | d[i + 3]!;
    else if (kind === 3 && len === 3) out.wscale = d[i + 2]!;
    else if (kind === 4) out.sackPermitted = true;
    else if (kind === 5) {
      out.sack = [];
      for (let b = i + 2; b + 8 <= i + len; b += 8) out.sack.push([u32(d, b), u32(d, b + 4)]);
    } else if (kind === 8 && len === 10) {
      out.tsval = u32(d, i + 2);
      out.tsecr = u32(d, i + 6);
    }
  }
  return out;
}

/** The TSval of the options in d[i, end) (RFC 7323 §3), or -1 without a timestamps option: the option walk of parseTcpOptions, with no object. */
export function tsvalOf(d: Uint8Array, i: number, end: number): number {
  if (isNopNopTs(d, i, end)) return u32(d, i + 4);
  for (let len = 0; i < end; i += len) {
    len = optionLength(d, i, end);
    if (len === 0) break;
    if (d[i] === 8 && len === 10) return u32(d, i + 2);
  }
  return -1;
}

/**
 * Only the SACK blocks of the options in d[i, end), as left/right pairs into `out` (cleared
 * first): what the analysis needs of each of a million segments, without an options object.
 * Walks the options as parseTcpOptions does (optionLength), so both see the same blocks.
 */
export function sackBlocksInto(d: Uint8Array, i: number, end: number, out: number[]): boolean {
  out.length = 0;
  let found = false;
  if (isNopNopTs(d, i, end)) return false;
  for (let len = 0; i < end; i += len) {
    len = optionLength(d, i, end);
    if (len === 0) break;
    if (d[i] === 5) {
      // A second SACK option replaces the first, as parseTcpOptions's `out.sack = []` does.
      out.length = 0;
      found = true;
      for (let b = i + 2; b + 8 <= i + len; b += 8) out.push(u32(d, b), u32(d, b + 4));
    }
  }
  return found;
}
