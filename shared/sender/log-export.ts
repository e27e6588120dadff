import { splitEndpoint } from '../timeline/tcp-streams.ts';
import type { SenderEvent, SessionInfo } from '../contract/sender.ts';
import { parseIp } from '../subnet/ip.ts';
import { concat } from './framing.ts';
import { visibleText } from './payload.ts';
import type { LogEntry } from './session-log.ts';

/** A session's log as readable text: one line per event, times relative to the first. */
export function logToText(info: SessionInfo, events: SenderEvent[]): string {
  const start = events[0]?.at ?? 0;
  const lines = [`# Wirelab ${info.kind} ${info.local}${info.remote ? ` -> ${info.remote}` : ''}`];
  for (const e of events) {
    const t = `+${((e.at - start) / 1000).toFixed(3)}s`;
    const wall = new Date(e.at).toISOString();
    if (e.type === 'chunk' || e.type === 'message') {
      const arrow = e.dir === 'in' ? '<-' : '->';
      lines.push(`${t}\t${wall}\t${e.type}\t${arrow} ${e.peer ?? ''}\t${e.length} B${e.truncated ? ' (first 4 KiB)' : ''}\t${visibleText(e.text)}\t${e.hex}`);
    } else {
      lines.push(`${t}\t${wall}\t${e.type}\t${e.peer ?? ''}\t${e.code ?? ''}\t${e.message ?? ''}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export function logToJson(info: SessionInfo, events: SenderEvent[]): string {
  return JSON.stringify({ format: 'wirelab-log', version: 1, session: info, events }, null, 2);
}

interface Addr {
  version: 4 | 6;
  bytes: Uint8Array;
  port: number;
}

/** "1.2.3.4:80" or "[::1]:80" → address bytes and port; null for labels like "all 3 clients". */
function parseEndpoint(text: string | null): Addr | null {
  const m = splitEndpoint(text);
  if (!m) return null;
  try {
    const ip = parseIp(m.host);
    const n = ip.version === 4 ? 4 : 16;
    const bytes = new Uint8Array(n);
    for (let i = 0; i < n; i++) bytes[i] = Number((ip.value >> BigInt((n - 1 - i) * 8)) & 0xffn);
    return { version: ip.version, bytes, port: m.port };
  } catch {
    return null;
  }
}

function ipv4Checksum(h: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < h.length; i += 2) sum += (h[i]! << 8) | h[i + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

/** The pcap's snapshot length: every record below is whole within it (at most 40 + 65,535 bytes). */
const snaplen = 262144;

/**
 * The most L4 payload one synthesised packet can carry. IPv4's total length (RFC 791) and
 * IPv6's payload length (RFC 8200) are 16-bit: TCP over IPv4 carries at most 65,535 − 20 − 20 =
 * 65,495 bytes, over IPv6 65,535 − 20; a UDP datagram at most 65,507 / 65,527 (one datagram is
 * never split). A longer chunk (one 1 MiB write to a socket) goes out as several segments, as
 * the kernel would send it, the sequence number continuing.
 */
function maxPayload(version: 4 | 6, tcp: boolean): number {
  return 65_535 - (version === 4 ? 20 : 0) - (tcp ? 20 : 8);
}

/**
 * The session's raw chunks as a pcap file (LINKTYPE_RAW: each record starts at the IP header),
 * so Wireshark can open it, and how many packets it holds. The capture is synthesised from the
 * log: IP/TCP/UDP headers are built around each chunk (a TCP chunk over maxPayload in segments),
 * TCP sequence numbers continue per direction, and checksums are left 0 (Wireshark does not
 * check them by default). A chunk whose peer is a label or of the other IP version, and a UDP
 * datagram too large for its IP version, has no packet and is not counted. It takes the log's
 * entries with their full bytes (session-log.ts), not the contract's events, whose hex is a
 * preview and twice the size. A script run's transcript is written by this same function
 * (shared/scripts/transcript.ts).
 */
export function logToPcapCounted(
  info: Pick<SessionInfo, 'kind' | 'local'>,
  entries: readonly Pick<LogEntry, 'type' | 'dir' | 'at' | 'peer' | 'bytes'>[],
): { pcap: Uint8Array; packets: number } {
  const local = parseEndpoint(info.local);
  const tcp = info.kind !== 'udp';
  const records: Uint8Array[] = [];
  const header = new Uint8Array(24);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, 0xa1b2c3d4, true);
  hv.setUint16(4, 2, true);
  hv.setUint16(6, 4, true);
  hv.setUint32(16, snaplen, true);
  hv.setUint32(20, 101, true); // LINKTYPE_RAW
  records.push(header);
  const seq = new Map<string, number>();
  const nextSeq = (from: string) => seq.get(from) ?? 1;
  let packets = 0;

  const packet = (e: (typeof entries)[number], src: Addr, dst: Addr, data: Uint8Array) => {
    const l4 = tcp ? 20 : 8;
    const l3 = src.version === 4 ? 20 : 40;
    const pkt = new Uint8Array(l3 + l4 + data.length);
    const v = new DataView(pkt.buffer);
    const l4Len = l4 + data.length;
    if (src.version === 4) {
      v.setUint8(0, 0x45);
      v.setUint16(2, 20 + l4Len);
      v.setUint8(8, 64);
      v.setUint8(9, tcp ? 6 : 17);
      pkt.set(src.bytes, 12);
      pkt.set(dst.bytes, 16);
      v.setUint16(10, ipv4Checksum(pkt.subarray(0, 20)));
    } else {
      v.setUint32(0, 0x60000000);
      v.setUint16(4, l4Len);
      v.setUint8(6, tcp ? 6 : 17);
      v.setUint8(7, 64);
      pkt.set(src.bytes, 8);
      pkt.set(dst.bytes, 24);
    }
    v.setUint16(l3, src.port);
    v.setUint16(l3 + 2, dst.port);
    if (tcp) {
      const fromKey = `${e.dir === 'in' ? e.peer : info.local}>${e.dir === 'in' ? info.local : e.peer}`;
      const backKey = `${e.dir === 'in' ? info.local : e.peer}>${e.dir === 'in' ? e.peer : info.local}`;
      const s = nextSeq(fromKey);
      v.setUint32(l3 + 4, s >>> 0);
      v.setUint32(l3 + 8, nextSeq(backKey) >>> 0);
      v.setUint8(l3 + 12, 5 << 4);
      v.setUint8(l3 + 13, 0x18); // PSH, ACK
      v.setUint16(l3 + 14, 65535);
      seq.set(fromKey, (s + data.length) % 2 ** 32);
    } else {
      v.setUint16(l3 + 4, l4Len);
    }
    pkt.set(data, l3 + l4);
    const rec = new Uint8Array(16);
    const rv = new DataView(rec.buffer);
    rv.setUint32(0, Math.floor(e.at / 1000), true);
    rv.setUint32(4, Math.round((e.at % 1000) * 1000), true);
    rv.setUint32(8, pkt.length, true);
    rv.setUint32(12, pkt.length, true);
    records.push(rec, pkt);
    packets++;
  };

  for (const e of entries) {
    if (e.type !== 'chunk' || !local) continue;
    const peer = parseEndpoint(e.peer);
    if (!peer || peer.version !== local.version) continue;
    const [src, dst] = e.dir === 'in' ? [peer, local] : [local, peer];
    const max = maxPayload(src.version, tcp);
    if (!tcp && e.bytes.length > max) continue;
    // an empty chunk is still one packet (as before); a long TCP one is several segments
    for (let at = 0; at === 0 || at < e.bytes.length; at += max) packet(e, src, dst, e.bytes.subarray(at, at + max));
  }
  return { pcap: concat(records), packets };
}

/** As logToPcapCounted, the file alone (the sender log's export). */
export function logToPcap(info: Pick<SessionInfo, 'kind' | 'local'>, entries: readonly Pick<LogEntry, 'type' | 'dir' | 'at' | 'peer' | 'bytes'>[]): Uint8Array {
  return logToPcapCounted(info, entries).pcap;
}
