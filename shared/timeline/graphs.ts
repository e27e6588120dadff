import type { TcpInfoSample } from '../contract/link.ts';
import { RETRANSMISSION_BADGES, type Segment, type Side, type StreamAnalysis } from './tcp-analysis.ts';

/**
 * Wireshark's TCP stream graphs (Statistics → TCP Stream Graphs) as plain series, computed from
 * one stream's analysis for one direction: the side whose data is drawn. Its ACKs, windows and
 * SACK blocks come from the other side. Every row starts with the time in seconds since the
 * stream's first packet; `columns` names the values after it (null where a row has none).
 */
export const graphKinds = ['stevens', 'tcptrace', 'throughput', 'rtt', 'window'] as const;
export type GraphKind = (typeof graphKinds)[number] | 'cwnd';

export interface GraphSeries {
  kind: GraphKind;
  direction: Side;
  /** What the values are measured in: sequence numbers and windows in bytes, throughput in bit/s, RTT in ms. */
  unit: 'bytes' | 'bit/s' | 'ms' | 'segments';
  columns: string[];
  points: (number | null)[][];
  /** Throughput only: the moving average's window, seconds. */
  windowSec?: number;
}

/** The part of a TCP_INFO sample (shared/contract/link.ts) the cwnd graph draws, stamped like packets. */
export type CwndSample = Pick<TcpInfoSample, 'cwnd' | 'ssthresh'> & ({ tsSec: number; tsNs: number } | { t: number });

const other = (s: Side): Side => (s === 'client' ? 'server' : 'client');
const isResend = (g: Segment) => g.badges.some((b) => RETRANSMISSION_BADGES.includes(b));
const carries = (g: Segment) => g.len > 0 || g.flags.includes('SYN') || g.flags.includes('FIN');

/** The side that sent the most payload: the one a graph is about when nobody says. */
export function busiestSide(a: StreamAnalysis): Side {
  let client = 0;
  let server = 0;
  for (const g of a.segments) {
    if (g.from === 'client') client += g.len;
    else server += g.len;
  }
  return server > client ? 'server' : 'client';
}

/**
 * Relative sequence numbers wrap at 2^32 (a transfer past 4 GiB); a graph's axis must not.
 * Each call returns the value unwrapped against the previous one.
 */
function unwrapper(): (x: number) => number {
  let base = 0;
  let last: number | null = null;
  return (x) => {
    if (last !== null && x - last < -(2 ** 31)) base += 2 ** 32;
    else if (last !== null && x - last > 2 ** 31) base -= 2 ** 32;
    last = x;
    return base + x;
  };
}

/** Stevens: each segment's sequence number against time (TCP/IP Illustrated's plot). */
export function stevens(a: StreamAnalysis, dir: Side): GraphSeries {
  const seq = unwrapper();
  const points: number[][] = [];
  for (const g of a.segments) if (g.from === dir && carries(g)) points.push([g.t, seq(g.relSeq)]);
  return { kind: 'stevens', direction: dir, unit: 'bytes', columns: ['seq'], points };
}

/**
 * tcptrace (Shepard's tool, as Wireshark draws it): each data segment as a bar from its seq to
 * its end (retransmissions marked 1), and from the receiver each ACK, the edge of its receive
 * window (ack + scaled window) and each SACK block it reported.
 */
export function tcptrace(a: StreamAnalysis, dir: Side): GraphSeries {
  const seq = unwrapper();
  const ack = unwrapper();
  const points: (number | null)[][] = [];
  for (const g of a.segments) {
    if (g.from === dir) {
      if (!carries(g)) continue;
      const s = seq(g.relSeq);
      const end = s + g.len + (g.flags.includes('SYN') || g.flags.includes('FIN') ? 1 : 0);
      points.push([g.t, s, end, isResend(g) ? 1 : 0, null, null, null, null]);
    } else if (g.relAck !== null) {
      const k = ack(g.relAck);
      const edge = k + (g.winScaled ?? g.win);
      const blocks = g.sack ?? [];
      if (blocks.length === 0) points.push([g.t, null, null, null, k, edge, null, null]);
      // A SACK block lies within 2^31 of the ACK: place it by its signed distance from it.
      for (const [l, r] of blocks) points.push([g.t, null, null, null, k, edge, k + ((l - g.relAck) | 0), k + ((r - g.relAck) | 0)]);
    }
  }
  return {
    kind: 'tcptrace',
    direction: dir,
    unit: 'bytes',
    columns: ['seq', 'seqEnd', 'retransmission', 'ack', 'receiveWindowEdge', 'sackLeft', 'sackRight'],
    points,
  };
}

/** A round window for the moving average: a twentieth of the stream, at most 1 s, at least 1 ms (1, 2 or 5 × 10^n). */
export function throughputWindow(durationSec: number): number {
  const want = Math.min(1, Math.max(0.001, durationSec / 20));
  const p = 10 ** Math.floor(Math.log10(want));
  for (const m of [1, 2, 5, 10]) if (m * p >= want) return Math.min(1, m * p);
  return 1;
}

/**
 * Throughput: payload sent in the last `windowSec` seconds, in bit/s, at each data segment
 * (a moving average, as Wireshark's graph; retransmitted bytes count, since they were sent).
 */
export function throughput(a: StreamAnalysis, dir: Side, windowSec?: number): GraphSeries {
  const data = a.segments.filter((g) => g.from === dir && g.len > 0);
  const duration = a.segments.length ? a.segments[a.segments.length - 1]!.t : 0;
  const w = windowSec ?? throughputWindow(duration);
  const points: number[][] = [];
  let lo = 0;
  let sum = 0;
  for (let i = 0; i < data.length; i++) {
    const g = data[i]!;
    sum += g.len;
    while (data[lo]!.t <= g.t - w) sum -= data[lo++]!.len;
    points.push([g.t, (sum * 8) / w]);
  }
  return { kind: 'throughput', direction: dir, unit: 'bit/s', columns: ['bitsPerSecond'], points, windowSec: w };
}

/**
 * Round-trip time per ACK: from the data segment an ACK acknowledges exactly to the ACK (as
 * tshark's ack_rtt), in ms, skipping ACKs of data sent more than once — Karn's rule (RFC 6298
 * §3): such an ACK may answer either copy.
 */
export function rtt(a: StreamAnalysis, dir: Side): GraphSeries {
  const points: number[][] = [];
  for (const g of a.segments) if (g.from === other(dir) && g.ackRttMs !== null && !g.ackRttAmbiguous) points.push([g.t, g.ackRttMs]);
  return { kind: 'rtt', direction: dir, unit: 'ms', columns: ['rttMs'], points };
}

/** Window scaling: the sender's bytes in flight against the window the receiver offers (scaled). */
export function windowGraph(a: StreamAnalysis, dir: Side): GraphSeries {
  const points: (number | null)[][] = [];
  for (const g of a.segments) {
    if (g.from === dir && g.bytesInFlight !== null) points.push([g.t, g.bytesInFlight, null]);
    else if (g.from !== dir && g.winScaled !== null && !g.flags.includes('SYN')) points.push([g.t, null, g.winScaled]);
  }
  return { kind: 'window', direction: dir, unit: 'bytes', columns: ['bytesInFlight', 'receiveWindow'], points };
}

/**
 * The kernel's congestion window and slow-start threshold (TCP_INFO, in segments) where an
 * experiment sampled them, put on the stream's clock; ssthresh is null while slow start lasts.
 */
export function cwnd(a: Pick<StreamAnalysis, 'startSec' | 'startNs'>, samples: readonly CwndSample[], dir: Side): GraphSeries {
  // Stamped like packets (the contract's samples) or already on the stream's clock (`timeline --link --json`'s `t`).
  const points = samples.map((s) => ['t' in s ? s.t : s.tsSec - a.startSec + (s.tsNs - a.startNs) / 1e9, s.cwnd, s.ssthresh]);
  return { kind: 'cwnd', direction: dir, unit: 'segments', columns: ['cwnd', 'ssthresh'], points };
}

export function graphSeries(kind: GraphKind, a: StreamAnalysis, dir: Side, tcpInfo: readonly CwndSample[] = []): GraphSeries {
  switch (kind) {
    case 'stevens':
      return stevens(a, dir);
    case 'tcptrace':
      return tcptrace(a, dir);
    case 'throughput':
      return throughput(a, dir);
    case 'rtt':
      return rtt(a, dir);
    case 'window':
      return windowGraph(a, dir);
    case 'cwnd':
      return cwnd(a, tcpInfo, dir);
  }
}

/** The series as CSV: a header of `t` and the columns, one row per point, empty cells for nulls. */
export function seriesCsv(s: GraphSeries): string {
  const lines = [['t', ...s.columns].join(',')];
  for (const p of s.points) lines.push(p.map((v) => (v === null ? '' : String(v))).join(','));
  return lines.join('\n') + '\n';
}
