import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readTcpPackets } from './tcp-packet.ts';
import { groupStreams } from './tcp-streams.ts';
import { analyzeStream, RETRANSMISSION_BADGES, type Segment } from './tcp-analysis.ts';

/**
 * Captures made over an emulated lossy / slow link (test/fixtures/link: link-lab's router
 * namespaces; test/fixtures/graphs: make-lossy.sh, loss on lo's input hook, and one copy with two
 * frames cut out, as a capture that missed them), each with tshark 4.0's reading of every frame
 * beside it. Our analysis must say what tshark says, frame by frame: each tcp.analysis flag,
 * the duplicate ACK's number, SACK blocks, bytes in flight and ack_rtt.
 */
const dirs = ['../../test/fixtures/link/', '../../test/fixtures/graphs/'].map((d) => new URL(d, import.meta.url));
const files = dirs.flatMap((d) =>
  readdirSync(d)
    .filter((f) => f.endsWith('.pcap'))
    .map((f) => new URL(f, d)),
);

interface Reading {
  frame: number;
  retransmission?: boolean;
  fastRetransmission?: boolean;
  spuriousRetransmission?: boolean;
  outOfOrder?: boolean;
  lostSegment?: boolean;
  ackLostSegment?: boolean;
  dupAckNum?: number | null;
  zeroWindow?: boolean;
  zeroWindowProbe?: boolean;
  windowFull?: boolean;
  windowUpdate?: boolean;
  keepAlive?: boolean;
  keepAliveAck?: boolean;
  sackLe?: number[];
  sackRe?: number[];
  bytesInFlight?: number | null;
  ackRtt?: number | null;
}

function ours(g: Segment) {
  const has = (b: Segment['badges'][number]) => g.badges.includes(b);
  return {
    frame: g.frame,
    retransmission: RETRANSMISSION_BADGES.some(has),
    fastRetransmission: has('fast-retransmission'),
    spuriousRetransmission: has('spurious-retransmission'),
    outOfOrder: has('out-of-order'),
    lostSegment: has('previous-segment-not-captured'),
    ackLostSegment: has('acked-unseen-segment'),
    dupAckNum: g.dupAckNum,
    zeroWindow: has('zero-window'),
    zeroWindowProbe: has('zero-window-probe'),
    windowFull: has('window-full'),
    windowUpdate: has('window-update'),
    sackLe: (g.sack ?? []).map((b) => b[0]),
    sackRe: (g.sack ?? []).map((b) => b[1]),
    bytesInFlight: g.bytesInFlight,
    // tshark prints seconds to the file's resolution (µs here).
    ackRtt: g.ackRttMs === null ? null : Math.round(g.ackRttMs * 1000) / 1e6,
  };
}

function theirs(r: Reading) {
  return {
    frame: r.frame,
    retransmission: r.retransmission ?? false,
    fastRetransmission: r.fastRetransmission ?? false,
    spuriousRetransmission: r.spuriousRetransmission ?? false,
    outOfOrder: r.outOfOrder ?? false,
    lostSegment: r.lostSegment ?? false,
    ackLostSegment: r.ackLostSegment ?? false,
    dupAckNum: r.dupAckNum ?? null,
    zeroWindow: r.zeroWindow ?? false,
    zeroWindowProbe: r.zeroWindowProbe ?? false,
    windowFull: r.windowFull ?? false,
    windowUpdate: r.windowUpdate ?? false,
    sackLe: r.sackLe ?? [],
    sackRe: r.sackRe ?? [],
    bytesInFlight: r.bytesInFlight ?? null,
    ackRtt: r.ackRtt ?? null,
  };
}

describe('TCP analysis over a lossy link, compared with tshark', () => {
  it('has lossy, slow and slow-reader captures, and together they show each kind of anomaly', () => {
    const names = files.map((f) => f.pathname.split('/').pop());
    expect(names).toEqual(expect.arrayContaining(['lossy-5pct.pcap', 'slow-2mbit-deep-queue.pcap', 'slow-reader.pcap', 'lossy-4pct-cut.pcap']));
    const seen = new Set<string>();
    for (const f of files)
      for (const s of groupStreams(readTcpPackets(new Uint8Array(readFileSync(f))).packets))
        for (const g of analyzeStream(s).segments) g.badges.forEach((b) => seen.add(b));
    for (const b of [
      'retransmission',
      'fast-retransmission',
      'dup-ack',
      'previous-segment-not-captured',
      'acked-unseen-segment',
      'zero-window',
      'window-update',
      'window-full',
    ])
      expect([...seen], b).toContain(b);
  });

  for (const file of files) {
    const name = file.pathname.split('/').slice(-2).join('/');
    it(`${name}: every frame's analysis matches tshark`, () => {
      const reading = (JSON.parse(readFileSync(new URL(`${file.href}.tshark.json`), 'utf8')) as { frames: Reading[] }).frames;
      const { packets } = readTcpPackets(new Uint8Array(readFileSync(file)));
      const segs = groupStreams(packets)
        .flatMap((s) => analyzeStream(s).segments)
        .sort((a, b) => a.frame - b.frame);
      expect(segs.length).toBe(reading.length);
      const mismatches = segs.map(ours).filter((m, i) => JSON.stringify(m) !== JSON.stringify(theirs(reading[i]!)));
      expect(mismatches.slice(0, 3)).toEqual(mismatches.slice(0, 3).map((m) => theirs(reading.find((r) => r.frame === m.frame)!)));
    });
  }
});
