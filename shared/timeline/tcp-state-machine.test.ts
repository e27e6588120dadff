import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ACK, FIN, SYN, readTcpPackets } from './tcp-packet.ts';
import { groupStreams } from './tcp-streams.ts';
import { analyzeStream } from './tcp-analysis.ts';
import { TcpEndpoint } from './tcp-state-machine.ts';

/** The state lanes of real loopback captures, one per experiment the panel offers. */
function lanes(name: string) {
  const bytes = new Uint8Array(readFileSync(new URL(`../../test/fixtures/captures/${name}`, import.meta.url)));
  const { packets } = readTcpPackets(bytes);
  const streams = groupStreams(packets).map(analyzeStream);
  return streams.map((s) => ({ client: s.states.client.map((c) => c.state), server: s.states.server.map((c) => c.state), analysis: s }));
}

describe('TCP state lanes from real connections', () => {
  it('normal: the client closes first and ends in TIME_WAIT; the server passes CLOSE_WAIT and LAST_ACK', () => {
    const [s] = lanes('lo-normal.pcap');
    expect(s!.client).toEqual(['SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT']);
    expect(s!.server).toEqual(['LISTEN', 'SYN_RCVD', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED']);
    const a = s!.analysis;
    expect(a.guessed).toBe(false);
    expect(a.segments.slice(0, 3).map((g) => [g.from, g.flags.join('+'), g.relSeq, g.relAck, g.phase])).toEqual([
      ['client', 'SYN', 0, null, 'handshake'],
      ['server', 'SYN+ACK', 0, 1, 'handshake'],
      ['client', 'ACK', 1, 1, 'handshake'],
    ]);
    expect(a.segments[3]!.phase).toBe('data');
    expect(a.segments.at(-1)!.phase).toBe('teardown');
    expect(a.handshakeRttMs).toBeGreaterThan(0);
    expect(a.handshakeRttMs).toBeLessThan(50);
    expect(a.synOptions.client?.mss).toBe(65495);
  });

  it('a full accept queue: the kernel drops the SYN, the client sends it again at ~1 s and ~2 s, and gets in', () => {
    const [first, second] = lanes('backlog-full.pcap');
    expect(first!.analysis.handshakeRttMs).toBeLessThan(50);
    const a = second!.analysis;
    expect(a.segments.slice(0, 5).map((g) => [g.from, g.flags.join('+'), g.badges.join(',')])).toEqual([
      ['client', 'SYN', ''],
      ['client', 'SYN', 'retransmission'],
      ['client', 'SYN', 'retransmission'],
      ['server', 'SYN+ACK', ''],
      ['client', 'ACK', ''],
    ]);
    // Linux's initial retransmission timeout is 1 s, doubled each time (RFC 6298 §2, §5.5)
    expect(a.segments[1]!.dt).toBeGreaterThan(0.9);
    expect(a.segments[2]!.dt).toBeGreaterThan(0.9);
    // Karn's rule: the SYN-ACK could answer either copy, so there is no handshake RTT to show
    expect(a.handshakeRttMs).toBeNull();
    expect(second!.client.slice(0, 2)).toEqual(['SYN_SENT', 'ESTABLISHED']);
  });

  it("zero window: the receiver's buffer fills, the sender probes, then the window opens and the data flows", () => {
    const [s] = lanes('zero-window.pcap');
    const segs = s!.analysis.segments;
    const zero = segs.filter((g) => g.badges.includes('zero-window'));
    expect(zero.length).toBeGreaterThanOrEqual(1);
    expect(zero.every((g) => g.from === 'server' && g.win === 0)).toBe(true);
    // the sender's probes while the window is shut (one byte back in sequence space): Wireshark's
    // label, keep-alive, and what they are for, window probe — and no keep-alive without it
    const probes = segs.filter((g) => g.badges.includes('window-probe'));
    expect(segs.filter((g) => g.badges.includes('keep-alive'))).toEqual(probes);
    expect(probes.length).toBeGreaterThanOrEqual(1);
    expect(probes.every((g) => g.from === 'client' && g.frame > zero[0]!.frame)).toBe(true);
    // after the window opens, more data than before the stall is acknowledged
    const lastZero = zero.at(-1)!;
    expect(segs.some((g) => g.from === 'client' && g.len > 0 && g.frame > lastZero.frame)).toBe(true);
    expect(s!.client.at(-1)).toBe('TIME_WAIT');
  });

  it('keep-alive: an idle connection is probed every second; each answer is a keep-alive ACK, not a duplicate ACK', () => {
    const [s] = lanes('keep-alive.pcap');
    const segs = s!.analysis.segments;
    const probes = segs.filter((g) => g.badges.includes('keep-alive'));
    expect(probes.map((g) => [g.from, g.len, g.relSeq])).toEqual([
      ['client', 0, 0],
      ['client', 0, 0],
    ]);
    expect(segs.some((g) => g.badges.includes('dup-ack'))).toBe(false);
    expect(segs.filter((g) => g.badges.includes('keep-alive-ack')).every((g) => g.from === 'server')).toBe(true);
    expect(s!.client).toEqual(['SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT']);
  });

  it('closed port: SYN answered by RST+ACK; the client goes SYN_SENT → CLOSED, nobody listened', () => {
    const [s] = lanes('refused.pcap');
    expect(s!.client).toEqual(['SYN_SENT', 'CLOSED']);
    expect(s!.server).toEqual(['CLOSED']);
    expect(s!.analysis.segments.map((g) => g.flags.join('+'))).toEqual(['SYN', 'RST+ACK']);
    expect(s!.analysis.segments[1]!.badges).toContain('rst');
    expect(s!.analysis.handshakeRttMs).toBeNull();
  });

  it('half-close: data still flows from the server while the client sits in FIN_WAIT_2', () => {
    const [s] = lanes('half-close.pcap');
    expect(s!.client).toEqual(['SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT']);
    expect(s!.server).toEqual(['LISTEN', 'SYN_RCVD', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED']);
    const segs = s!.analysis.segments;
    const clientFin = segs.findIndex((g) => g.from === 'client' && g.flags.includes('FIN'));
    const serverFin = segs.findIndex((g) => g.from === 'server' && g.flags.includes('FIN'));
    const lateData = segs.filter((g, i) => i > clientFin && i < serverFin && g.from === 'server' && g.len > 0);
    expect(lateData.length).toBe(3);
  });

  it('the server closes first: TIME_WAIT lands on the server', () => {
    const [s] = lanes('server-first.pcap');
    expect(s!.server).toEqual(['LISTEN', 'SYN_RCVD', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT']);
    expect(s!.client).toEqual(['SYN_SENT', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED']);
  });

  it('a reset mid-stream closes both ends at once, with no FIN', () => {
    const [s] = lanes('reset.pcap');
    expect(s!.client.at(-1)).toBe('CLOSED');
    expect(s!.server.at(-1)).toBe('CLOSED');
    expect(s!.client).not.toContain('TIME_WAIT');
    const rst = s!.analysis.segments.find((g) => g.flags.includes('RST'))!;
    expect(rst.from).toBe('client');
    expect(rst.badges).toEqual(['rst']);
    expect(s!.analysis.segments.some((g) => g.from === 'server' && g.len === 1000)).toBe(true);
  });

  it('three connections on one port are three streams, each with its own handshake', () => {
    const streams = lanes('three-connections.pcap');
    expect(streams).toHaveLength(3);
    for (const s of streams) expect(s.client.at(-1)).toBe('TIME_WAIT');
    expect(new Set(streams.map((s) => s.analysis.client)).size).toBe(3);
  });

  it('without the handshake the client is guessed (the peer of the lower port) and both start ESTABLISHED', () => {
    const bytes = new Uint8Array(readFileSync(new URL('../../test/fixtures/captures/lo-normal.pcap', import.meta.url)));
    const packets = readTcpPackets(bytes).packets.slice(3);
    const [a] = groupStreams(packets).map(analyzeStream);
    expect(a!.guessed).toBe(true);
    const ports = a!.segments.length && [Number(a!.client.split(':').pop()), Number(a!.server.split(':').pop())];
    expect((ports as number[])[0]).toBeGreaterThan((ports as number[])[1]!);
    expect(a!.states.client[0]).toEqual({ t: 0, state: 'ESTABLISHED' });
    expect(a!.segments[0]!.relSeq).toBe(1);
    expect(a!.segments[0]!.winScaled).toBeNull();
  });
});

describe('TCP state machine, the rare paths', () => {
  const seg = (flags: number, seq: number, ack: number, len = 0) => ({ flags, seq, ack, len });
  it('simultaneous close: FIN crosses FIN → CLOSING → TIME_WAIT on both ends', () => {
    const a = new TcpEndpoint('ESTABLISHED');
    const b = new TcpEndpoint('ESTABLISHED');
    const finA = seg(FIN | ACK, 100, 500);
    const finB = seg(FIN | ACK, 500, 100);
    expect(a.step(finA, true)).toEqual(['FIN_WAIT_1']);
    expect(b.step(finB, true)).toEqual(['FIN_WAIT_1']);
    expect(a.step(finB, false)).toEqual(['CLOSING']);
    expect(b.step(finA, false)).toEqual(['CLOSING']);
    expect(a.step(seg(ACK, 501, 101), false)).toEqual(['TIME_WAIT']);
    expect(b.step(seg(ACK, 101, 501), false)).toEqual(['TIME_WAIT']);
  });

  it('simultaneous open: SYN_SENT receives a SYN → SYN_RCVD → ESTABLISHED on the SYN-ACK', () => {
    const a = new TcpEndpoint('CLOSED');
    expect(a.step(seg(SYN, 1000, 0), true)).toEqual(['SYN_SENT']);
    expect(a.step(seg(SYN, 7000, 0), false)).toEqual(['SYN_RCVD']);
    expect(a.step(seg(SYN | ACK, 7000, 1001), false)).toEqual(['ESTABLISHED']);
  });

  it('a FIN with the ACK of our FIN goes straight from FIN_WAIT_1 to TIME_WAIT; sequence numbers wrap', () => {
    const a = new TcpEndpoint('ESTABLISHED');
    a.step(seg(FIN | ACK, 0xffffffff, 10), true);
    expect(a.step(seg(FIN | ACK, 10, 1), false)).toEqual(['FIN_WAIT_2', 'TIME_WAIT']);
  });
});
