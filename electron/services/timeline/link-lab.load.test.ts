import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LinkStatus } from '../../../shared/contract/link.ts';
import { joinLinkCaptures } from '../../../shared/timeline/link-join.ts';
import { parseLinkSpec } from '../../../shared/timeline/link-spec.ts';
import { readPacketTable } from '../../../shared/timeline/packet-table.ts';
import { analyzeStream } from '../../../shared/timeline/tcp-analysis.ts';
import { ACK, FIN, SYN, readTcpPackets } from '../../../shared/timeline/tcp-packet.ts';
import { groupStreams } from '../../../shared/timeline/tcp-streams.ts';
import { tempDir } from '../../../test/support/temp-dir.ts';
import type { TimelineEvent } from '../../../shared/contract/timeline.ts';
import { packetFromWire } from '../../../shared/timeline/packet-wire.ts';
import { checkRunnable, linkAvailability, runLink, type LinkRun } from './link-lab.ts';
import { linkTimeline } from './link-timeline.ts';
import { LINK_CLIENT } from './link-script.ts';

/**
 * The emulated link for real: three network namespaces made without root, Wirelab's own client
 * and server, tcpdump in the client's namespace and the server's, tshark reading what they captured. Heavy (each run
 * builds a network and moves up to half a MiB through a rate limit): run this file alone.
 */
let dir: string;
let status: LinkStatus;
beforeAll(async () => {
  dir = await tempDir('wirelab-link-test-');
  status = await linkAvailability();
}, 30_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (spec: string, transfer?: string): Promise<LinkRun> => runLink(parseLinkSpec(spec, transfer), { marker: () => {}, tcpInfo: () => {} }, status);

/** tshark's count of the frames matching a display filter. */
function tshark(pcap: Uint8Array, name: string, filter: string): number {
  const file = join(dir, `${name}.pcap`);
  writeFileSync(file, pcap);
  const out = execFileSync('tshark', ['-r', file, '-Y', filter, '-T', 'fields', '-e', 'frame.number'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return out.split('\n').filter(Boolean).length;
}

/** tshark's reading of each frame as a key: source, IP ID, raw seq and ack, length, flags. */
function tsharkKeys(pcap: Uint8Array, name: string): { frame: number; src: string; key: string }[] {
  const file = join(dir, `${name}.pcap`);
  writeFileSync(file, pcap);
  const fields = ['frame.number', 'ip.src', 'ip.id', 'tcp.seq_raw', 'tcp.ack_raw', 'tcp.len', 'tcp.flags'];
  const out = execFileSync('tshark', ['-r', file, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [frame, src, ...rest] = l.split('\t');
      return { frame: Number(frame), src: src!, key: [src, ...rest].join(' ') };
    });
}

describe('emulated link (namespaces, tbf, nftables, tcpdump)', () => {
  it('can be made here without root', () => {
    expect(status).toMatchObject({ available: true, code: null });
  });

  it('a 5 % lossy link: tshark sees retransmissions, and TCP_INFO counts them with cwnd > 0 throughout', async () => {
    const r = await run('experiment=lossy,loss=5%', '512KiB');
    expect(tshark(r.pcap, 'lossy', 'tcp.analysis.retransmission')).toBeGreaterThan(0);
    expect(r.tcpInfo.length).toBeGreaterThan(5);
    expect(r.tcpInfo.every((s) => s.cwnd > 0)).toBe(true);
    expect(r.tcpInfo.at(-1)!.retrans).toBeGreaterThan(0);
    // Every byte arrived in spite of the loss: the server counted them.
    expect(r.markers.find((m) => m.side === 'server' && m.code === 'MARK_BYTES')?.params).toEqual({ bytes: 512 * 1024 });
    // The tail (the segment with FIN) is dropped three times: the probe, the RTO, the RTO doubled.
    const fins = readTcpPackets(r.pcap).packets.filter((p) => p.src === LINK_CLIENT && p.flags & FIN);
    expect(fins.length).toBeGreaterThanOrEqual(4);
    const at = fins.map((p) => p.tsSec + p.tsNs / 1e9);
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    // The last wait is a timeout after a timeout: twice the one before it (the probe's wait can be
    // as long as the first RTO, with the 200 ms it allows for a delayed ACK).
    expect(gaps.at(-2)!).toBeGreaterThan(0.15);
    expect(gaps.at(-1)!).toBeGreaterThan(1.5 * gaps.at(-2)!);
  }, 90_000);

  it('captured at both ends: the segments marked lost on the link are exactly those tshark finds in the client’s capture and not the server’s', async () => {
    const r = await run('rate=10mbit,loss=10%', '96KiB');
    const near = readPacketTable(r.pcap).table;
    const j = joinLinkCaptures(near, readPacketTable(r.serverPcap).table, LINK_CLIENT);
    const lost = [...j.arrived.keys()].filter((i) => j.arrived[i] === 0).map((i) => near.frame[i]);
    // The oracle: tshark's fields of both files, each server-side copy used once.
    const atServer = new Map<string, number>();
    for (const k of tsharkKeys(r.serverPcap, 'both-server')) atServer.set(k.key, (atServer.get(k.key) ?? 0) + 1);
    const missing: number[] = [];
    for (const k of tsharkKeys(r.pcap, 'both-client')) {
      const left = atServer.get(k.key) ?? 0;
      if (left > 0) atServer.set(k.key, left - 1);
      else if (k.src === LINK_CLIENT) missing.push(k.frame);
    }
    expect(lost.length).toBeGreaterThan(0);
    expect(lost).toEqual(missing);
    expect(j.lost).toBe(lost.length);
    // Every byte still arrived: TCP sent each lost segment again.
    expect(r.markers.find((m) => m.side === 'server' && m.code === 'MARK_BYTES')?.params).toEqual({ bytes: 96 * 1024 });
  }, 90_000);

  it('a 400 ms delay and no loss: the client’s last ACK, still on the link when the programs end, is in the server’s capture (nothing lost)', async () => {
    const r = await run('rate=10mbit,delay=400ms', '16KiB');
    const near = readPacketTable(r.pcap).table;
    const j = joinLinkCaptures(near, readPacketTable(r.serverPcap).table, LINK_CLIENT);
    // The handshake, the data and both FINs: the join had something to judge.
    expect(j.sent).toBeGreaterThan(5);
    expect({ lost: j.lost, reverseLost: j.reverseLost }).toEqual({ lost: 0, reverseLost: 0 });
    // The last frame of the client's capture is the ACK of the server's FIN, and it arrived.
    expect(j.arrived.at(-1)).toBe(1);
  }, 90_000);

  it('a 2 Mbit/s link carries about 2 Mbit/s, and its deep queue makes the RTT grow', async () => {
    const r = await run('experiment=slow,rate=2mbit,queue=150kb', '512KiB');
    const packets = readTcpPackets(r.pcap).packets;
    const data = packets.filter((p) => p.src === LINK_CLIENT && p.len > 0);
    // What reached the server: the highest byte it acknowledged (retransmissions count once).
    const payload = 512 * 1024;
    const lastAck = packets.filter((p) => p.src !== LINK_CLIENT && p.flags & ACK).at(-1)!;
    const seconds = lastAck.tsSec - data[0]!.tsSec + (lastAck.tsNs - data[0]!.tsNs) / 1e9;
    const mbit = (payload * 8) / seconds / 1e6;
    // tbf counts Ethernet frames (1514 bytes for 1448 of payload): a wide band around 2.
    expect(mbit).toBeGreaterThan(1.2);
    expect(mbit).toBeLessThan(2.3);
    const rtts = r.tcpInfo.map((s) => s.rttMs);
    expect(Math.min(...rtts.filter((x) => x > 0))).toBeLessThan(20);
    expect(Math.max(...rtts)).toBeGreaterThan(100);
  }, 90_000);

  it('the lost SYN is sent again about 1 s later, with the same ISN', async () => {
    const r = await run('experiment=lost-syn');
    const syns = readTcpPackets(r.pcap).packets.filter((p) => p.src === LINK_CLIENT && (p.flags & (SYN | ACK)) === SYN);
    expect(syns).toHaveLength(2);
    expect(syns[1]!.seq).toBe(syns[0]!.seq);
    const gap = syns[1]!.tsSec - syns[0]!.tsSec + (syns[1]!.tsNs - syns[0]!.tsNs) / 1e9;
    expect(gap).toBeGreaterThan(0.8);
    expect(gap).toBeLessThan(3.5);
    expect(tshark(r.pcap, 'lost-syn', 'tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.analysis.retransmission')).toBe(1);
  }, 60_000);

  it('the lost handshake ACK: the server sends its SYN+ACK again and accepts only then', async () => {
    const r = await run('experiment=lost-ack');
    const [stream] = groupStreams(readTcpPackets(r.pcap).packets).map(analyzeStream);
    const synAcks = stream!.segments.filter((g) => g.from === 'server' && g.flags.includes('SYN'));
    expect(synAcks).toHaveLength(2);
    expect(synAcks[1]!.t - synAcks[0]!.t).toBeGreaterThan(0.8);
    const connect = r.markers.find((m) => m.code === 'MARK_CONNECTED_AFTER')!;
    const accept = r.markers.find((m) => m.code === 'MARK_ACCEPTED')!;
    // The client thinks it is connected at once; the server's accept() waits for the second ACK.
    expect(accept.tsSec - connect.tsSec + (accept.tsNs - connect.tsNs) / 1e9).toBeGreaterThan(0.8);
  }, 60_000);

  it('the lost handshake ACK as the diagram gets it: the server’s lane (from its own capture) turns ESTABLISHED a second after the client’s', async () => {
    const events: Partial<Omit<TimelineEvent, 'timelineId'>>[] = [];
    await linkTimeline(parseLinkSpec('experiment=lost-ack'), status, (e) => events.push(e));
    expect(events.at(-1)?.status?.phase).toBe('done');
    const packets = events.flatMap((e) => e.packets ?? []).map(packetFromWire);
    const [stream] = groupStreams(packets);
    const lane = events.findLast((e) => e.serverLanes)?.serverLanes?.find((l) => l.client === stream!.client);
    const established = (l: { t: number; state: string }[]) => l.find((c) => c.state === 'ESTABLISHED')?.t ?? NaN;
    const clientAt = established(analyzeStream(stream!).states.client);
    expect(clientAt).toBeLessThan(0.5);
    // Still SYN_RCVD while the lost ACK is "on its way": ESTABLISHED only when the second ACK arrives, about 1 s later (the SYN+ACK's RTO).
    expect(lane?.states.map((c) => c.state).slice(0, 3)).toEqual(['LISTEN', 'SYN_RCVD', 'ESTABLISHED']);
    expect(established(lane!.states)).toBeGreaterThan(clientAt + 0.8);
  }, 60_000);

  it('a slow reader closes the window to zero and opens it again', async () => {
    const r = await run('experiment=slow-reader');
    expect(tshark(r.pcap, 'slow-reader', 'tcp.analysis.zero_window')).toBeGreaterThan(0);
    expect(tshark(r.pcap, 'slow-reader', 'tcp.analysis.window_update')).toBeGreaterThan(0);
    expect(r.markers.find((m) => m.side === 'server' && m.code === 'MARK_BYTES')?.params).toEqual({ bytes: 256 * 1024 });
  }, 90_000);

  it('a stopped run ends every process it started (namespace holders, tcpdump, both programs) at once', async () => {
    const abort = new AbortController();
    const started = Date.now();
    const run = runLink(parseLinkSpec('experiment=slow,rate=1mbit', '4MiB'), { marker: () => {}, tcpInfo: () => {} }, status, abort.signal);
    setTimeout(() => abort.abort(), 1500);
    await expect(run).rejects.toMatchObject({ code: 'EXPERIMENT_FAILED', params: { reason: 'stopped' } });
    // 4 MiB at 1 Mbit/s would take over 30 s.
    expect(Date.now() - started).toBeLessThan(10_000);
    const left = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.includes('wirelab-link-') && !l.includes('ps -eo'));
    expect(left).toEqual([]);
  }, 30_000);

  it('delays each way by the delay asked: netem, or the TUN delay line on a kernel without it (this one)', async () => {
    expect(status.delayBy).not.toBeNull();
    const r = await run('experiment=slow,rate=none,delay=50ms', '64KiB');
    const [syn, synAck] = readTcpPackets(r.pcap).packets;
    const rttMs = (synAck!.tsSec - syn!.tsSec) * 1000 + (synAck!.tsNs - syn!.tsNs) / 1e6;
    // 2 × 50 ms, plus what a loaded machine adds to a user-space delay line.
    expect(rttMs).toBeGreaterThan(95);
    expect(rttMs).toBeLessThan(400);
    expect(r.tcpInfo.at(-1)!.rttMs).toBeGreaterThan(95);
  }, 60_000);

  it('refuses delay where neither netem nor the delay line can run, saying what to install', () => {
    let refused: unknown = null;
    try {
      checkRunnable(parseLinkSpec('experiment=slow,delay=50ms'), { ...status, delay: false, delayBy: null });
    } catch (e) {
      refused = e;
    }
    expect(refused).toMatchObject({ code: 'LINK_DELAY_UNAVAILABLE', field: 'delayMs' });
    expect((refused as Error).message).toMatch(/no sch_netem .*python3/);
  });
});
