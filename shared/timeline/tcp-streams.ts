import { PacketTable } from './packet-table.ts';
import { ACK, FIN, RST, SYN, type TcpPacket } from './tcp-packet.ts';

/** "ip:port", with IPv6 in brackets as URLs write it (RFC 3986 §3.2.2). */
export function endpointText(addr: string, port: number): string {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

/** The inverse of endpointText: "1.2.3.4:80" or "[::1]:80" → host and port; null for anything else. */
export function splitEndpoint(text: string | null): { host: string; port: number } | null {
  if (!text) return null;
  const m = /^\[(.+)\]:(\d+)$/.exec(text) ?? /^([^:]+):(\d+)$/.exec(text);
  return m ? { host: m[1]!, port: Number(m[2]) } : null;
}

/** One TCP connection: the packets of one 4-tuple between a SYN and the close (both FINs or a RST). */
export interface TcpStream {
  /** 0-based, in order of each stream's first packet (Wireshark's tcp.stream). */
  index: number;
  client: string;
  server: string;
  /** True when no SYN was captured and the client was taken to be the peer of the lower port. */
  guessed: boolean;
  packets: TcpPacket[];
}

/** A connection as rows of a PacketTable: what the columnar analysis reads. */
export interface StreamRows {
  index: number;
  client: string;
  server: string;
  guessed: boolean;
  rows: Uint32Array;
}

interface Open {
  rows: number[];
  finA: boolean;
  finB: boolean;
  reset: boolean;
  /** Which endpoint sent the first SYN, SYN-ACK (for deciding the client afterwards). */
  synFrom: string | null;
  synAckTo: string | null;
}

/**
 * Splits packets into connections by 4-tuple. A fresh SYN on a 4-tuple whose connection has
 * closed starts a new stream (ports are reused once TIME_WAIT ends, or at once after a RST).
 */
export function groupTable(t: PacketTable): StreamRows[] {
  const open = new Map<string, Open>();
  const all: Open[] = [];
  // The last two directions seen, so a bulk transfer's million packets build no strings.
  const recent: { src: number; srcPort: number; dst: number; dstPort: number; a: string; b: string; key: string }[] = [];
  const { src, dst, srcPort, dstPort, flags: flagsOf, addrs } = t;
  for (let i = 0; i < t.length; i++) {
    const s = src[i]!;
    const d = dst[i]!;
    const sp = srcPort[i]!;
    const dp = dstPort[i]!;
    const flags = flagsOf[i]!;
    let hit = recent[0]!;
    if (!(hit && hit.srcPort === sp && hit.dstPort === dp && hit.src === s && hit.dst === d)) {
      const other = recent[1];
      if (other && other.srcPort === sp && other.dstPort === dp && other.src === s && other.dst === d) {
        recent[1] = hit;
        hit = recent[0] = other;
      } else {
        const a = endpointText(addrs[s]!, sp);
        const b = endpointText(addrs[d]!, dp);
        hit = { src: s, srcPort: sp, dst: d, dstPort: dp, a, b, key: a < b ? `${a} ${b}` : `${b} ${a}` };
        recent.unshift(hit);
        recent.length = Math.min(recent.length, 2);
      }
    }
    const { a, b, key } = hit;
    let cur = open.get(key);
    const pureSyn = (flags & (SYN | ACK)) === SYN;
    if (cur && pureSyn && (cur.reset || (cur.finA && cur.finB))) cur = undefined;
    if (!cur) {
      cur = { rows: [], finA: false, finB: false, reset: false, synFrom: null, synAckTo: null };
      open.set(key, cur);
      all.push(cur);
    }
    cur.rows.push(i);
    if (pureSyn && cur.synFrom === null) cur.synFrom = a;
    if ((flags & (SYN | ACK)) === (SYN | ACK) && cur.synAckTo === null) cur.synAckTo = b;
    if (flags & FIN) {
      if (a < b) cur.finA = true;
      else cur.finB = true;
    }
    if (flags & RST) cur.reset = true;
  }
  return all.map(({ rows, synFrom, synAckTo }, index) => {
    const first = rows[0]!;
    const x = endpointText(addrs[src[first]!]!, srcPort[first]!);
    const y = endpointText(addrs[dst[first]!]!, dstPort[first]!);
    let client = synFrom ?? synAckTo;
    let guessed = false;
    if (client === null) {
      // No handshake captured: the server is the end with the lower port (services listen on
      // low, well-known ports; clients get high ephemeral ones).
      guessed = true;
      client = srcPort[first]! > dstPort[first]! ? x : srcPort[first]! < dstPort[first]! ? y : x;
    }
    return { index, client, server: client === x ? y : x, guessed, rows: Uint32Array.from(rows) };
  });
}

/** groupTable for packets decoded as objects: each stream holds its packets. */
export function groupStreams(packets: readonly TcpPacket[]): TcpStream[] {
  return groupTable(PacketTable.of(packets)).map(({ rows, ...s }) => ({ ...s, packets: Array.from(rows, (i) => packets[i]!) }));
}

/** One line per conversation, for the "pick a connection" list of an imported capture. */
export interface StreamSummary {
  index: number;
  client: string;
  server: string;
  guessed: boolean;
  packets: number;
  bytes: number;
  firstFrame: number;
  durationSec: number;
  /** Flags seen: whether the capture holds the handshake, a FIN teardown, a reset. */
  hasSyn: boolean;
  hasFin: boolean;
  hasRst: boolean;
}

export function summarizeStream(s: TcpStream): StreamSummary {
  const first = s.packets[0]!;
  const last = s.packets[s.packets.length - 1]!;
  let bytes = 0;
  let seen = 0;
  for (const p of s.packets) {
    bytes += p.len;
    seen |= p.flags;
  }
  return {
    index: s.index,
    client: s.client,
    server: s.server,
    guessed: s.guessed,
    packets: s.packets.length,
    bytes,
    firstFrame: first.frame,
    durationSec: last.tsSec - first.tsSec + (last.tsNs - first.tsNs) / 1e9,
    hasSyn: (seen & SYN) !== 0,
    hasFin: (seen & FIN) !== 0,
    hasRst: (seen & RST) !== 0,
  };
}
