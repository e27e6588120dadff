import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { busiestSide, cwnd, graphSeries, rtt, seriesCsv, seriesRows, stevens, tcptrace, throughput, throughputWindow, windowGraph } from './graphs.ts';
import { analyzeStreamColumns, RETRANSMISSION_BADGES, withSegments } from './tcp-analysis.ts';
import { readTcpPackets } from './tcp-packet.ts';
import { groupStreams } from './tcp-streams.ts';

const fixture = (path: string) => new URL(`../../test/fixtures/${path}`, import.meta.url);
function load(path: string) {
  const [stream] = groupStreams(readTcpPackets(new Uint8Array(readFileSync(fixture(path)))).packets);
  const reading = (
    JSON.parse(readFileSync(fixture(`${path}.tshark.json`), 'utf8')) as { frames: { frame: number; ackRtt?: number | null; bytesInFlight?: number | null }[] }
  ).frames;
  const c = analyzeStreamColumns(stream!);
  // The segments as objects (what the assertions compare with) and as the columns the graphs read.
  return { a: { ...withSegments(c), columns: c.columns }, reading };
}

describe('TCP stream graphs', () => {
  it('defaults to the side that sent the data (the client of a bulk upload)', () => {
    const { a } = load('graphs/lossy-4pct.pcap');
    expect(busiestSide(a)).toBe('client');
    expect(seriesRows(stevens(a, 'server')).length).toBeLessThan(5);
  });

  it('Stevens: one point per data segment; the sequence climbs to the bytes sent, retransmissions fall back', () => {
    const { a } = load('graphs/lossy-4pct.pcap');
    const s = stevens(a, 'client');
    expect(s.unit).toBe('bytes');
    const data = a.segments.filter((g) => g.from === 'client' && (g.len > 0 || g.flags.includes('SYN') || g.flags.includes('FIN')));
    expect(seriesRows(s).length).toBe(data.length);
    // the last data segment starts within one MSS of the 300,000 bytes sent (seq 1 is the first byte)
    expect(Math.max(...seriesRows(s).map((p) => p[1]!))).toBeGreaterThan(300_001 - 1448);
    const falls = seriesRows(s).filter(
      (p, i) =>
        i > 0 &&
        p[1]! <
          Math.max(
            ...seriesRows(s)
              .slice(0, i)
              .map((q) => q[1]!),
          ),
    ).length;
    expect(falls).toBe(a.segments.filter((g) => g.from === 'client' && g.badges.some((b) => RETRANSMISSION_BADGES.includes(b))).length);
  });

  it('tcptrace: bars for data with the retransmissions marked, the ACK and window lines, and the SACK blocks', () => {
    const { a } = load('graphs/lossy-4pct.pcap');
    const s = tcptrace(a, 'client');
    const bars = seriesRows(s).filter((p) => p[1] !== null);
    const marked = bars.filter((p) => p[3] === 1);
    expect(marked.length).toBeGreaterThanOrEqual(5);
    expect(marked.length).toBe(a.segments.filter((g) => g.badges.some((b) => RETRANSMISSION_BADGES.includes(b))).length);
    expect(bars.every((p) => p[2]! - p[1]! <= 1448)).toBe(true);
    const acks = seriesRows(s).filter((p) => p[4] !== null);
    // the receive window's edge is always ahead of the ACK
    expect(acks.every((p) => p[5]! > p[4]!)).toBe(true);
    const sacks = acks.filter((p) => p[6] !== null);
    expect(sacks.length).toBeGreaterThan(10);
    // a SACK block reports data above the cumulative ACK (or a D-SACK below it), never empty
    expect(sacks.every((p) => p[7]! > p[6]!)).toBe(true);
  });

  it('RTT: tshark’s ack_rtt in ms per ACK, without the ACKs of retransmitted data (Karn)', () => {
    const { a, reading } = load('link/lossy-5pct.pcap');
    const s = rtt(a, 'client');
    expect(s.unit).toBe('ms');
    const byFrame = new Map(a.segments.map((g) => [g.frame, g]));
    const tshark = reading.filter((f) => (f.ackRtt ?? null) !== null && byFrame.get(f.frame)!.from === 'server');
    const ambiguous = tshark.filter((f) => byFrame.get(f.frame)!.ackRttAmbiguous);
    expect(ambiguous.length).toBeGreaterThan(0);
    expect(seriesRows(s).length).toBe(tshark.length - ambiguous.length);
    const kept = tshark.filter((f) => !byFrame.get(f.frame)!.ackRttAmbiguous);
    seriesRows(s).forEach((p, i) => expect(p[1]!).toBeCloseTo(kept[i]!.ackRtt! * 1000, 3));
    // each skipped ACK acknowledges a frame whose data was sent again
    for (const f of ambiguous) {
      const acked = byFrame.get(byFrame.get(f.frame)!.ackedFrame!)!;
      const end = acked.relSeq + acked.len;
      expect(a.segments.some((g) => g.from === 'client' && g.frame !== acked.frame && g.relSeq < end && g.relSeq + g.len > acked.relSeq)).toBe(true);
    }
  });

  it('window: bytes in flight as tshark counts them, against the receiver’s scaled window', () => {
    const { a, reading } = load('link/slow-reader.pcap');
    const s = windowGraph(a, 'client');
    const bif = seriesRows(s)
      .filter((p) => p[1] !== null)
      .map((p) => p[1]);
    const tsharkBif = reading.filter((f) => (f.bytesInFlight ?? null) !== null).map((f) => f.bytesInFlight);
    expect(bif).toEqual(tsharkBif);
    const win = seriesRows(s)
      .filter((p) => p[2] !== null)
      .map((p) => p[2]!);
    // the slow reader's window closes to 0 and opens again
    expect(win).toContain(0);
    expect(Math.max(...win)).toBeGreaterThan(10_000);
  });

  it('throughput: a moving average in bit/s over a window it names; its integral is the bytes sent', () => {
    // captured on lo after tbf's 2 Mbit/s shaping
    const { a } = load('graphs/lossy-10pct-2mbit.pcap');
    const s = throughput(a, 'client');
    expect(s.unit).toBe('bit/s');
    expect(s.windowSec).toBe(throughputWindow(a.segments.at(-1)!.t));
    // the average never passes the rate by much (tbf's burst) and reaches most of it
    const peak = Math.max(...seriesRows(s).map((p) => p[1]!));
    expect(peak).toBeLessThan(3e6);
    expect(peak).toBeGreaterThan(1e6);
    const one = throughput(a, 'client', 1000);
    expect(seriesRows(one).at(-1)![1]).toBeCloseTo((a.segments.filter((g) => g.from === 'client').reduce((n, g) => n + g.len, 0) * 8) / 1000, 6);
  });

  it('windows for the moving average are round and bounded', () => {
    expect(throughputWindow(0)).toBe(0.001);
    expect(throughputWindow(0.5)).toBe(0.05);
    expect(throughputWindow(3)).toBe(0.2);
    expect(throughputWindow(600)).toBe(1);
  });

  it('cwnd from TCP_INFO samples, and CSV with a header and empty cells for gaps', () => {
    const c = cwnd(
      { startSec: 100, startNs: 500_000_000 },
      [
        { tsSec: 100, tsNs: 750_000_000, cwnd: 10, ssthresh: null },
        { tsSec: 101, tsNs: 0, cwnd: 20, ssthresh: 14 },
      ],
      'client',
    );
    expect(seriesCsv(c)).toBe('t,cwnd,ssthresh\n0.25,10,\n0.5,20,14\n');
    const { a } = load('graphs/lossy-4pct.pcap');
    expect(graphSeries('window', a, 'client').columns).toEqual(['bytesInFlight', 'receiveWindow']);
  });

  it("cwnd from an emulated-link run's TCP_INFO (timeline --link --json): slow start from 10 segments, on the packets' clock", () => {
    const doc = JSON.parse(readFileSync(fixture('link/slow-2mbit-rtt40ms.timeline.json'), 'utf8')) as {
      tcpInfo: { t: number; cwnd: number; ssthresh: number | null }[];
    };
    const { a } = load('link/slow-2mbit-rtt40ms.pcap');
    const s = graphSeries('cwnd', a, 'client', doc.tcpInfo);
    expect(s.unit).toBe('segments');
    expect(seriesRows(s).length).toBe(doc.tcpInfo.length);
    expect(seriesRows(s)[0]![1]).toBe(10);
    expect(Math.max(...seriesRows(s).map((p) => p[1]!))).toBeGreaterThan(20);
    // the samples fall within the transfer's packets
    expect(seriesRows(s).at(-1)![0]!).toBeLessThanOrEqual(a.segments.at(-1)!.t + 0.1);
  });
});
