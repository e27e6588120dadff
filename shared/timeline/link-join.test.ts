import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { captureDroppedNotice, frameArrivals, joinLinkCaptures, keyFieldsHash, linkLossOf, segmentArrivals, withFarLost } from './link-join.ts';
import { analyzeStream, analyzeStreamColumns, withSegments } from './tcp-analysis.ts';
import { readTcpPackets } from './tcp-packet.ts';
import { groupStreams } from './tcp-streams.ts';
import { PacketTable, readPacketTable } from './packet-table.ts';
import { ACK, FIN, PSH, SYN } from './tcp-packet.ts';

/**
 * The join of an emulated link's two captures: synthetic tables (frames built here, Ethernet +
 * IPv4 + TCP with timestamps) for the cases that matter, and the pair the lab itself made
 * (test/fixtures/link/both-ends-10pct.*.pcap), whose lost segments tshark found the same way.
 */
const C = [10, 77, 1, 1];
const S = [10, 77, 2, 1];

interface Seg {
  from: 'c' | 's';
  seq: number;
  ack?: number;
  len?: number;
  flags?: number;
  ipId: number;
  tsval?: number;
  /** Capture time, ms. */
  at: number;
}

function frame(g: Seg): Uint8Array {
  const len = g.len ?? 0;
  const ts = g.tsval !== undefined;
  const tcpLen = ts ? 32 : 20;
  const d = new Uint8Array(14 + 20 + tcpLen + Math.min(len, 16));
  const v = new DataView(d.buffer);
  v.setUint16(12, 0x0800);
  const ip = 14;
  d[ip] = 0x45;
  v.setUint16(ip + 2, 20 + tcpLen + len);
  v.setUint16(ip + 4, g.ipId);
  d[ip + 6] = 0x40;
  d[ip + 8] = 64;
  d[ip + 9] = 6;
  const [src, dst] = g.from === 'c' ? [C, S] : [S, C];
  d.set(src, ip + 12);
  d.set(dst, ip + 16);
  const t = ip + 20;
  v.setUint16(t, g.from === 'c' ? 40000 : 5000);
  v.setUint16(t + 2, g.from === 'c' ? 5000 : 40000);
  v.setUint32(t + 4, g.seq);
  v.setUint32(t + 8, g.ack ?? 0);
  d[t + 12] = (tcpLen / 4) << 4;
  d[t + 13] = g.flags ?? ACK;
  v.setUint16(t + 14, 502);
  if (ts) {
    d.set([1, 1, 8, 10], t + 20);
    v.setUint32(t + 24, g.tsval!);
    v.setUint32(t + 28, 0);
  }
  return d;
}

function table(segs: Seg[]): PacketTable {
  const tab = new PacketTable();
  segs.forEach((g, i) => {
    const data = frame(g);
    tab.add({ frame: i + 1, tsSec: 1_700_000_000 + Math.floor(g.at / 1000), tsNs: Math.round((g.at % 1000) * 1e6), linkType: 1, data, origLen: data.length });
  });
  return tab;
}

const CLIENT = '10.77.1.1';

describe('joining the two ends of an emulated link', () => {
  it('a retransmission of the same seq: the first copy lost, the second arrived (told apart by the IP ID)', () => {
    const client = table([
      { from: 'c', seq: 1, ack: 1, len: 1448, ipId: 10, tsval: 500, at: 0 },
      { from: 'c', seq: 1449, ack: 1, len: 1448, ipId: 11, tsval: 500, at: 0.1 },
      { from: 's', seq: 1, ack: 1, ipId: 70, tsval: 900, at: 2.2 },
      // The retransmission of seq 1: same seq, ack, length and flags, a new IP ID — and here even the same TSval.
      { from: 'c', seq: 1, ack: 1, len: 1448, ipId: 12, tsval: 500, at: 0.9 },
      { from: 's', seq: 1, ack: 2897, ipId: 71, tsval: 901, at: 3.2 },
    ]);
    const server = table([
      { from: 'c', seq: 1449, ack: 1, len: 1448, ipId: 11, tsval: 500, at: 1.1 },
      { from: 's', seq: 1, ack: 1, ipId: 70, tsval: 900, at: 1.2 },
      { from: 'c', seq: 1, ack: 1, len: 1448, ipId: 12, tsval: 500, at: 1.9 },
      { from: 's', seq: 1, ack: 2897, ipId: 71, tsval: 901, at: 2.2 },
    ]);
    const j = joinLinkCaptures(client, server, CLIENT);
    expect([...j.arrived]).toEqual([0, 1, 1, 1, 1]);
    expect([...j.peer]).toEqual([-1, 0, 1, 2, 3]);
    // One-way delay from the sender's copy to the receiver's, whichever way the segment went.
    expect([...j.oneWayMs].map((x) => (Number.isNaN(x) ? null : Math.round(x * 1000) / 1000))).toEqual([null, 1, 1, 1, 1]);
    expect({ sent: j.sent, lost: j.lost, reverseSent: j.reverseSent, reverseLost: j.reverseLost }).toEqual({
      sent: 3,
      lost: 1,
      reverseSent: 2,
      reverseLost: 0,
    });
  });

  it('without an IP ID or TSval to tell copies apart, equal keys are matched in order: first with first', () => {
    // Three duplicate ACKs with the same everything; the far end saw two of them.
    const dup = (at: number): Seg => ({ from: 'c', seq: 1, ack: 100, ipId: 0, at });
    const j = joinLinkCaptures(table([dup(0), dup(1), dup(2)]), table([dup(0.5), dup(1.5)]), CLIENT);
    expect([...j.peer]).toEqual([0, 1, -1]);
    expect([...j.arrived]).toEqual([1, 1, 0]);
    expect(j.oneWayMs[0]).toBeCloseTo(0.5, 6);
    expect(j.oneWayMs[1]).toBeCloseTo(0.5, 6);
  });

  it('the TSval tells apart copies whose IP IDs are equal (a counter that wrapped); flags and length are part of the key', () => {
    const client = table([
      { from: 'c', seq: 1, ack: 1, len: 10, ipId: 7, tsval: 100, at: 0 },
      { from: 'c', seq: 1, ack: 1, len: 10, ipId: 7, tsval: 300, at: 200 },
      { from: 'c', seq: 11, ack: 1, len: 0, flags: FIN | ACK, ipId: 8, tsval: 300, at: 201 },
    ]);
    const server = table([
      { from: 'c', seq: 1, ack: 1, len: 10, ipId: 7, tsval: 300, at: 201 },
      // Same seq, ack and IP ID as the FIN but not a FIN, and another length: not its copy.
      { from: 'c', seq: 11, ack: 1, len: 5, flags: PSH | ACK, ipId: 8, tsval: 300, at: 202 },
    ]);
    const j = joinLinkCaptures(client, server, CLIENT);
    expect([...j.arrived]).toEqual([0, 1, 0]);
    expect(j.lost).toBe(2);
  });

  it('what the server sent and the client never saw is counted lost the other way (it is in no row of the client capture)', () => {
    const syn: Seg = { from: 'c', seq: 0, flags: SYN, ipId: 1, at: 0 };
    const client = table([syn]);
    const server = table([
      { ...syn, at: 0.3 },
      { from: 's', seq: 0, ack: 1, flags: SYN | ACK, ipId: 0, at: 0.4 },
    ]);
    const j = joinLinkCaptures(client, server, CLIENT);
    expect(j).toMatchObject({ sent: 1, lost: 0, reverseSent: 1, reverseLost: 1 });
  });

  it('gives each segment of a stream its arrival by frame number, -1 for a frame the join never saw', () => {
    const client = table([
      { from: 'c', seq: 1, ipId: 1, at: 0 },
      { from: 'c', seq: 2, ipId: 2, at: 1 },
    ]);
    const j = joinLinkCaptures(client, table([{ from: 'c', seq: 2, ipId: 2, at: 3 }]), CLIENT);
    const wire = frameArrivals(client, j);
    expect(wire).toEqual({ frame: [1, 2], arrived: [false, true], oneWayMs: [null, 2] });
    const seg = segmentArrivals([2, 1, 9], wire);
    expect([...seg.arrived]).toEqual([1, 0, -1]);
    expect([...seg.oneWayMs]).toEqual([2, NaN, NaN]);
  });

  it('two different keys on one hash: the chain’s field comparison picks the right copy, and a key with only a look-alike is lost', () => {
    // A real 32-bit collision of two (seq, ack) pairs, found by the birthday search (about 2^16 tries).
    const seen = new Map<number, number>();
    let a = -1;
    let b = -1;
    for (let i = 0; i < 1_000_000 && a < 0; i++) {
      const h = keyFieldsHash(i, (i * 2654435761) >>> 0, 40000, 5000, 0, ACK, 9);
      const j = seen.get(h);
      if (j === undefined) seen.set(h, i);
      else [a, b] = [j, i];
    }
    expect(a).toBeGreaterThanOrEqual(0);
    const seg = (i: number, at: number): Seg => ({ from: 'c', seq: i, ack: (i * 2654435761) >>> 0, ipId: 9, at });
    // Both sit in one chain at the far end, the look-alike first.
    const j = joinLinkCaptures(table([seg(a, 0)]), table([seg(b, 0.5), seg(a, 0.7)]), CLIENT);
    expect([...j.peer]).toEqual([1]);
    expect(j.oneWayMs[0]).toBeCloseTo(0.7, 6);
    const alone = joinLinkCaptures(table([seg(a, 0)]), table([seg(b, 0.5)]), CLIENT);
    expect([...alone.arrived]).toEqual([0]);
    expect(alone.lost).toBe(1);
  });

  it('when a tcpdump dropped packets, a segment without a far copy is unknown, not lost, and a notice says how many were dropped', () => {
    const client = table([
      { from: 'c', seq: 1, ipId: 1, at: 0 },
      { from: 'c', seq: 2, ipId: 2, at: 1 },
    ]);
    const j = joinLinkCaptures(client, table([{ from: 'c', seq: 2, ipId: 2, at: 3 }]), CLIENT);
    const wire = frameArrivals(client, j, 0, client.length, false);
    expect(wire).toEqual({ frame: [1, 2], arrived: [null, true], oneWayMs: [null, 2] });
    expect([...segmentArrivals([1, 2], wire).arrived]).toEqual([-1, 1]);
    expect(captureDroppedNotice({ client: 0, server: 0 })).toBeNull();
    expect(captureDroppedNotice({ client: 1, server: 2 })).toMatchObject({ code: 'LINK_CAPTURE_DROPPED', params: { dropped: 3, client: 1, server: 2 } });
    expect(captureDroppedNotice({ client: 0, server: 1 })!.message).toMatch(/^the capture itself dropped 1 packet \(/);
    expect(linkLossOf(j)).toMatchObject({ sent: 2, lost: 1, lostPercent: 50 });
  });

  it('the lab’s own pair (10 % loss from the client, 5 % back): the segments tshark finds only in the client’s capture', () => {
    const read = (end: string) =>
      readPacketTable(new Uint8Array(readFileSync(new URL(`../../test/fixtures/link/both-ends-10pct.${end}.pcap`, import.meta.url)))).table;
    const client = read('client');
    const j = joinLinkCaptures(client, read('server'), CLIENT);
    const lost = [...j.arrived.keys()].filter((i) => j.arrived[i] === 0).map((i) => client.frame[i]);
    // tshark -T fields -e ip.src -e ip.id -e tcp.seq_raw -e tcp.ack_raw on both files, compared as sets:
    // the first SYN (sent again 1 s later), two data segments, and the FIN segment four times (the lesson's tail rule drops three).
    expect(lost).toEqual([1, 13, 14, 79, 90, 91, 92]);
    expect(j).toMatchObject({ sent: 56, lost: 7, reverseSent: 42, reverseLost: 3 });
    // The retransmitted SYN got through: the handshake's second SYN is frame 2.
    expect(j.arrived[1]).toBe(1);
    // Through veths and a router, no delay configured: tens of microseconds to a few ms, never negative.
    const ms = [...j.oneWayMs].filter((x) => !Number.isNaN(x));
    expect(ms.length).toBe(client.length - 7);
    expect(Math.min(...ms)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...ms)).toBeLessThan(50);
  });

  it('the server’s lost segments go in among the client’s by time, numbered after its last frame, arrived false — and badged as before', () => {
    const bytes = (end: string) => new Uint8Array(readFileSync(new URL(`../../test/fixtures/link/both-ends-10pct.${end}.pcap`, import.meta.url)));
    const [c, sv] = [bytes('client'), bytes('server')];
    const near = readPacketTable(c).table;
    const far = readPacketTable(sv).table;
    const j = joinLinkCaptures(near, far, CLIENT);
    const nearPackets = readTcpPackets(c).packets;
    const m = withFarLost(nearPackets, readTcpPackets(sv).packets, near, far, j, CLIENT);
    expect(m.packets).toHaveLength(near.length + 3);
    expect(m.arrivals.frame).toHaveLength(m.packets.length);
    const added = m.packets.filter((p) => p.frame > near.length);
    // The three ACKs B sent that never reached A (reverseLost 3), from the server, in time order.
    expect(added.map((p) => p.frame)).toEqual([near.length + 1, near.length + 2, near.length + 3]);
    expect(added.every((p) => p.src === '10.77.2.1' && p.len === 0)).toBe(true);
    for (let k = 1; k < m.packets.length; k++) {
      const [a, b] = [m.packets[k - 1]!, m.packets[k]!];
      expect(b.tsSec + b.tsNs / 1e9).toBeGreaterThanOrEqual(a.tsSec + a.tsNs / 1e9);
    }
    // The client's packets keep their order and their arrivals.
    expect(m.packets.filter((p) => p.frame <= near.length)).toEqual(nearPackets);
    const [stream] = groupStreams(m.packets);
    const arr = segmentArrivals(
      stream!.packets.map((p) => p.frame),
      m.arrivals,
    );
    expect([...stream!.packets.keys()].filter((k) => arr.arrived[k] === 0 && stream!.packets[k]!.src === '10.77.2.1')).toHaveLength(3);
    // In the stream's (time) order: the client's seven lost, with the server's three ACKs (96–98) lost between frames 14 and 79.
    expect(stream!.packets.filter((_, k) => arr.arrived[k] === 0).map((p) => p.frame)).toEqual([1, 13, 14, 96, 97, 98, 79, 90, 91, 92]);
    // Drawn, but never at the client: no badges on them, and every segment the client captured keeps the badges (and lane) the client's capture alone gives.
    const merged = withSegments(analyzeStreamColumns(stream!, arr.arrived));
    const alone = analyzeStream(groupStreams(nearPackets)[0]!);
    expect(merged.segments.filter((g) => g.frame > near.length).every((g) => g.badges.length === 0 && g.from === 'server')).toBe(true);
    expect(merged.segments.filter((g) => g.frame <= near.length).map((g) => [g.frame, g.badges])).toEqual(alone.segments.map((g) => [g.frame, g.badges]));
    expect(merged.states.client).toEqual(alone.states.client);
    // A capture that dropped packets: nothing is put in (missing may mean uncaptured).
    expect(withFarLost(nearPackets, readTcpPackets(sv).packets, near, far, j, CLIENT, false).packets).toHaveLength(near.length);
  });

  it('segmentArrivals finds frames that do not ascend (the far end’s lost ones sit among the near ones)', () => {
    const a = { frame: [1, 2, 9, 3, 10, 4], arrived: [true, true, false, true, false, null], oneWayMs: [0.1, 0.2, null, 0.3, null, null] };
    const got = segmentArrivals([1, 9, 3, 10, 4, 5], a);
    expect([...got.arrived]).toEqual([1, 0, 1, 0, -1, -1]);
    expect(got.oneWayMs[2]).toBe(0.3);
  });
});
