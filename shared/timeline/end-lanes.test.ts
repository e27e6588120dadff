import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { endLane, withServerLane } from './end-lanes.ts';
import { PacketTable, readPacketTable } from './packet-table.ts';
import { analyzeRows, analyzeStream } from './tcp-analysis.ts';
import { ACK, PSH, SYN, readTcpPackets, type TcpPacket } from './tcp-packet.ts';
import { groupStreams } from './tcp-streams.ts';

/**
 * Each end's state lane from its own capture: a synthetic lost-final-ACK pair (the lab's lost-ack
 * experiment, as the two tcpdumps see it) and the pair the lab itself made
 * (test/fixtures/link/both-ends-10pct.*.pcap: the first SYN and the FIN segment lost on the way in).
 */
const CLIENT = '10.77.1.1:40000';
const SERVER = '10.77.2.1:5000';

/** One segment as one end captured it: who sent it, and when (ms) it was seen there. */
function pkt(frame: number, from: 'c' | 's', at: number, flags: number, seq: number, ack: number, len = 0): TcpPacket {
  return {
    frame,
    tsSec: 1000 + Math.floor(at / 1000),
    tsNs: Math.round((at % 1000) * 1e6),
    src: from === 'c' ? '10.77.1.1' : '10.77.2.1',
    dst: from === 'c' ? '10.77.2.1' : '10.77.1.1',
    data: new Uint8Array(20),
    origLen: 40 + len,
    family: 4,
    srcPort: from === 'c' ? 40000 : 5000,
    dstPort: from === 'c' ? 5000 : 40000,
    seq,
    ack,
    flags,
    win: 502,
    len,
    tcpOffset: 0,
    tcpHeaderLen: 20,
  };
}

// The client's ACK of the SYN+ACK (frame 3) is dropped by the router. The server's SYN+ACK timer
// (1 s) sends it again, the client ACKs again, and that ACK (with the request behind it) arrives.
// One-way delay 10 ms.
const clientSaw = PacketTable.of([
  pkt(1, 'c', 0, SYN, 100, 0),
  pkt(2, 's', 20, SYN | ACK, 900, 101),
  pkt(3, 'c', 20, ACK, 101, 901),
  pkt(4, 'c', 21, PSH | ACK, 101, 901, 10),
  pkt(5, 's', 1020, SYN | ACK, 900, 101),
  pkt(6, 'c', 1020, ACK, 111, 901),
  pkt(7, 's', 1040, ACK, 901, 111),
]);
// Client frame 3 (the ACK) never came; frame 4 (the request) did, at 31 ms: its ACK field completes the handshake.
const serverSaw = PacketTable.of([
  pkt(1, 'c', 10, SYN, 100, 0),
  pkt(2, 's', 10, SYN | ACK, 900, 101),
  pkt(3, 'c', 31, PSH | ACK, 101, 901, 10),
  pkt(4, 's', 31, ACK, 901, 111),
]);
// The same pair without the request: only the retransmitted ACK can complete it.
const serverSawNoData = PacketTable.of([
  pkt(1, 'c', 10, SYN, 100, 0),
  pkt(2, 's', 10, SYN | ACK, 900, 101),
  pkt(3, 's', 1010, SYN | ACK, 900, 101),
  pkt(4, 'c', 1030, ACK, 101, 901),
]);

const stream = { client: CLIENT, server: SERVER, guessed: false, rows: Uint32Array.from([0, 1, 2, 3, 4, 5, 6]) };
const at = (lane: { t: number; state: string }[], state: string) => lane.find((c) => c.state === state)?.t ?? null;

describe('endLane / withServerLane', () => {
  it('a lost final ACK: the server stays SYN_RCVD until a later ACK arrives, while the client is ESTABLISHED at once', () => {
    const a = analyzeRows(clientSaw, stream);
    // What one capture can infer (and what the diagram drew before): the server established when the client sent its ACK.
    expect(at(a.states.server, 'ESTABLISHED')).toBeCloseTo(0.02, 6);
    const lanes = withServerLane(a, serverSawNoData).states;
    expect(lanes.client).toEqual(a.states.client);
    expect(at(lanes.client, 'ESTABLISHED')).toBeCloseTo(0.02, 6);
    expect(lanes.server.map((c) => c.state)).toEqual(['LISTEN', 'SYN_RCVD', 'ESTABLISHED']);
    expect(at(lanes.server, 'SYN_RCVD')).toBeCloseTo(0.01, 6);
    expect(at(lanes.server, 'ESTABLISHED')).toBeCloseTo(1.03, 6);
  });

  it('data behind the lost ACK completes the handshake when it arrives (its ACK field acknowledges the SYN)', () => {
    const lanes = withServerLane(analyzeRows(clientSaw, stream), serverSaw).states;
    expect(lanes.server.map((c) => c.state)).toEqual(['LISTEN', 'SYN_RCVD', 'ESTABLISHED']);
    expect(at(lanes.server, 'ESTABLISHED')).toBeCloseTo(0.031, 6);
  });

  it('with the link’s arrivals, a lost ACK completes nothing: the handshake phase lasts until a segment that arrived acknowledges the SYN', () => {
    // Rows 0–6 of clientSaw; row 2 (the first ACK) lost on the link.
    const arrived = Int8Array.from([1, 1, 0, 1, 1, 1, 1]);
    const one = analyzeRows(clientSaw, stream);
    const both = analyzeRows(clientSaw, stream, arrived);
    expect(one.columns.phase[3]).toBe(1);
    expect(both.columns.phase[3]).toBe(0);
    expect(both.columns.phase[4]).toBe(1);
    // The client's lane and every badge are the client capture's either way.
    expect(both.states.client).toEqual(one.states.client);
    expect([...both.columns.badges]).toEqual([...one.columns.badges]);
  });

  it('reads only its own 4-tuple, and a table without the end leaves the lane at its start', () => {
    expect(endLane(serverSaw, '10.77.2.1:5001', CLIENT, 'LISTEN', 1000, 0)).toEqual([{ t: 0, state: 'LISTEN' }]);
    expect(endLane(new PacketTable(), SERVER, CLIENT, 'LISTEN', 1000, 0)).toEqual([{ t: 0, state: 'LISTEN' }]);
  });

  it('the lab’s own pair: the server enters SYN_RCVD when the second SYN arrives and CLOSE_WAIT when the fifth FIN does', () => {
    const client = readFileSync('test/fixtures/link/both-ends-10pct.client.pcap');
    const server = readPacketTable(readFileSync('test/fixtures/link/both-ends-10pct.server.pcap')).table;
    const [a] = groupStreams(readTcpPackets(client).packets).map(analyzeStream);
    const syns = a!.segments.filter((g) => g.from === 'client' && g.flags.includes('SYN'));
    const fins = a!.segments.filter((g) => g.from === 'client' && g.flags.includes('FIN'));
    expect(syns).toHaveLength(2);
    expect(fins).toHaveLength(5);
    const lanes = withServerLane(a!, server).states;
    expect(lanes.server.map((c) => c.state)).toEqual(['LISTEN', 'SYN_RCVD', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED']);
    // The first SYN and four FINs never reached B: the server's lane moves when the copies that did arrive there.
    expect(at(lanes.server, 'SYN_RCVD')!).toBeGreaterThan(syns[1]!.t);
    expect(at(lanes.server, 'CLOSE_WAIT')!).toBeGreaterThan(fins[4]!.t);
    // Inferred from the client's capture, the server was in CLOSE_WAIT at the first FIN, 1.8 s early.
    expect(at(a!.states.server, 'CLOSE_WAIT')).toBe(fins[0]!.t);
    // The client's lane stays its own capture's.
    expect(lanes.client).toEqual(a!.states.client);
  });
});
