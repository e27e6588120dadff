import type { TcpInfoSample } from '../contract/link.ts';
import { RESENT_BITS, type ColumnAnalysis, type Side } from './tcp-analysis.ts';

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
  /**
   * The rows as columns (a million-packet stream's series is then a few typed arrays rather than
   * millions of small arrays): `t` the time of each row, `values[c]` column c, NaN where a row has
   * no value. seriesRows gives them as rows.
   */
  t: Float64Array;
  values: Float64Array[];
  /** Throughput only: the moving average's window, seconds. */
  windowSec?: number;
}

/** What the graphs read of an analysis: its segments as columns (tcp-analysis.ts's analyzeRows). */
export type GraphSource = Pick<ColumnAnalysis, 'columns' | 'startSec' | 'startNs'>;

/** The part of a TCP_INFO sample (shared/contract/link.ts) the cwnd graph draws, stamped like packets. */
export type CwndSample = Pick<TcpInfoSample, 'cwnd' | 'ssthresh'> & ({ tsSec: number; tsNs: number } | { t: number });

const sideCode = (s: Side) => (s === 'client' ? 0 : 1);
const SYN_FIN = 0x03;

/** The side that sent the most payload: the one a graph is about when nobody says. */
export function busiestSide(a: GraphSource): Side {
  const { from, len, length } = a.columns;
  let client = 0;
  let server = 0;
  for (let k = 0; k < length; k++) {
    if (from[k] === 0) client += len[k]!;
    else server += len[k]!;
  }
  return server > client ? 'server' : 'client';
}

/** Rows are added to columns sized for the most a graph can have, then cut to what it has. */
class SeriesBuilder {
  n = 0;
  readonly t: Float64Array;
  readonly values: Float64Array[];
  constructor(capacity: number, columns: number) {
    this.t = new Float64Array(capacity);
    this.values = Array.from({ length: columns }, () => new Float64Array(capacity).fill(NaN));
  }
  row(t: number): number {
    this.t[this.n] = t;
    return this.n++;
  }
  done(kind: GraphKind, direction: Side, unit: GraphSeries['unit'], columns: string[]): GraphSeries {
    return { kind, direction, unit, columns, t: this.t.subarray(0, this.n), values: this.values.map((v) => v.subarray(0, this.n)) };
  }
}

/**
 * Relative sequence numbers wrap at 2^32 (a transfer past 4 GiB); a graph's axis must not.
 * Each call returns the value unwrapped against the previous one.
 */
class Unwrapper {
  private base = 0;
  private last = NaN;
  next(x: number): number {
    if (x - this.last < -(2 ** 31)) this.base += 2 ** 32;
    else if (x - this.last > 2 ** 31) this.base -= 2 ** 32;
    this.last = x;
    return this.base + x;
  }
}

/** Stevens: each segment's sequence number against time (TCP/IP Illustrated's plot). */
export function stevens(a: GraphSource, dir: Side): GraphSeries {
  const c = a.columns;
  const me = sideCode(dir);
  const seq = new Unwrapper();
  const b = new SeriesBuilder(c.length, 1);
  const [v] = b.values as [Float64Array];
  for (let k = 0; k < c.length; k++) if (c.from[k] === me && (c.len[k]! > 0 || c.flags[k]! & SYN_FIN)) v[b.row(c.t[k]!)] = seq.next(c.relSeq[k]!);
  return b.done('stevens', dir, 'bytes', ['seq']);
}

/**
 * tcptrace (Shepard's tool, as Wireshark draws it): each data segment as a bar from its seq to
 * its end (retransmissions marked 1), and from the receiver each ACK, the edge of its receive
 * window (ack + scaled window) and each SACK block it reported.
 */
export function tcptrace(a: GraphSource, dir: Side): GraphSeries {
  const c = a.columns;
  const me = sideCode(dir);
  const seq = new Unwrapper();
  const ack = new Unwrapper();
  const b = new SeriesBuilder(c.length + (c.sackPool.length >> 1), 7);
  const [vSeq, vEnd, vResent, vAck, vEdge, vLeft, vRight] = b.values as [
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  for (let k = 0; k < c.length; k++) {
    const t = c.t[k]!;
    if (c.from[k] === me) {
      const synFin = c.flags[k]! & SYN_FIN;
      if (c.len[k] === 0 && !synFin) continue;
      const s = seq.next(c.relSeq[k]!);
      const r = b.row(t);
      vSeq[r] = s;
      vEnd[r] = s + c.len[k]! + (synFin ? 1 : 0);
      vResent[r] = c.badges[k]! & RESENT_BITS ? 1 : 0;
    } else if (!Number.isNaN(c.relAck[k]!)) {
      const relAck = c.relAck[k]!;
      const kk = ack.next(relAck);
      const ws = c.winScaled[k]!;
      const edge = kk + (Number.isNaN(ws) ? c.win[k]! : ws);
      const blocks = Math.max(0, c.sackLen[k]!);
      if (blocks === 0) {
        const r = b.row(t);
        vAck[r] = kk;
        vEdge[r] = edge;
      }
      // A SACK block lies within 2^31 of the ACK: place it by its signed distance from it.
      for (let j = 0, at = c.sackAt[k]!; j < blocks; j++, at += 2) {
        const r = b.row(t);
        vAck[r] = kk;
        vEdge[r] = edge;
        vLeft[r] = kk + ((c.sackPool[at]! - relAck) | 0);
        vRight[r] = kk + ((c.sackPool[at + 1]! - relAck) | 0);
      }
    }
  }
  return b.done('tcptrace', dir, 'bytes', ['seq', 'seqEnd', 'retransmission', 'ack', 'receiveWindowEdge', 'sackLeft', 'sackRight']);
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
export function throughput(a: GraphSource, dir: Side, windowSec?: number): GraphSeries {
  const c = a.columns;
  const me = sideCode(dir);
  const duration = c.length ? c.t[c.length - 1]! : 0;
  const w = windowSec ?? throughputWindow(duration);
  const b = new SeriesBuilder(c.length, 1);
  const [v] = b.values as [Float64Array];
  // The data segments' rows, for the window's trailing edge.
  const rows = new Uint32Array(c.length);
  let m = 0;
  let lo = 0;
  let sum = 0;
  for (let k = 0; k < c.length; k++) {
    if (c.from[k] !== me || c.len[k] === 0) continue;
    rows[m++] = k;
    const t = c.t[k]!;
    sum += c.len[k]!;
    while (c.t[rows[lo]!]! <= t - w) sum -= c.len[rows[lo++]!]!;
    v[b.row(t)] = (sum * 8) / w;
  }
  return { ...b.done('throughput', dir, 'bit/s', ['bitsPerSecond']), windowSec: w };
}

/**
 * Round-trip time per ACK: from the data segment an ACK acknowledges exactly to the ACK (as
 * tshark's ack_rtt), in ms, skipping ACKs of data sent more than once — Karn's rule (RFC 6298
 * §3): such an ACK may answer either copy.
 */
export function rtt(a: GraphSource, dir: Side): GraphSeries {
  const c = a.columns;
  const peer = 1 - sideCode(dir);
  const b = new SeriesBuilder(c.length, 1);
  const [v] = b.values as [Float64Array];
  for (let k = 0; k < c.length; k++) if (c.from[k] === peer && !Number.isNaN(c.ackRttMs[k]!) && !c.ackRttAmbiguous[k]) v[b.row(c.t[k]!)] = c.ackRttMs[k]!;
  return b.done('rtt', dir, 'ms', ['rttMs']);
}

/** Window scaling: the sender's bytes in flight against the window the receiver offers (scaled). */
export function windowGraph(a: GraphSource, dir: Side): GraphSeries {
  const c = a.columns;
  const me = sideCode(dir);
  const b = new SeriesBuilder(c.length, 2);
  const [bif, rwnd] = b.values as [Float64Array, Float64Array];
  for (let k = 0; k < c.length; k++) {
    if (c.from[k] === me && !Number.isNaN(c.bytesInFlight[k]!)) bif[b.row(c.t[k]!)] = c.bytesInFlight[k]!;
    else if (c.from[k] !== me && !Number.isNaN(c.winScaled[k]!) && !(c.flags[k]! & 0x02)) rwnd[b.row(c.t[k]!)] = c.winScaled[k]!;
  }
  return b.done('window', dir, 'bytes', ['bytesInFlight', 'receiveWindow']);
}

/**
 * The kernel's congestion window and slow-start threshold (TCP_INFO, in segments) where an
 * experiment sampled them, put on the stream's clock; ssthresh is null while slow start lasts.
 */
export function cwnd(a: Pick<GraphSource, 'startSec' | 'startNs'>, samples: readonly CwndSample[], dir: Side): GraphSeries {
  const b = new SeriesBuilder(samples.length, 2);
  const [cw, ss] = b.values as [Float64Array, Float64Array];
  for (const s of samples) {
    // Stamped like packets (the contract's samples) or already on the stream's clock (`timeline --link --json`'s `t`).
    const r = b.row('t' in s ? s.t : s.tsSec - a.startSec + (s.tsNs - a.startNs) / 1e9);
    cw[r] = s.cwnd;
    ss[r] = s.ssthresh ?? NaN;
  }
  return b.done('cwnd', dir, 'segments', ['cwnd', 'ssthresh']);
}

export function graphSeries(kind: GraphKind, a: GraphSource, dir: Side, tcpInfo: readonly CwndSample[] = []): GraphSeries {
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

/** How many rows a series has. */
export const seriesLength = (s: GraphSeries) => s.t.length;

/** Row i as `[t, value, …]` with null for no value: the shape `--graph --json` prints. */
export function seriesRow(s: GraphSeries, i: number): (number | null)[] {
  const row: (number | null)[] = [s.t[i]!];
  for (const v of s.values) row.push(Number.isNaN(v[i]!) ? null : v[i]!);
  return row;
}

/** Every row (seriesRow for each). */
export function seriesRows(s: GraphSeries): (number | null)[][] {
  return Array.from({ length: s.t.length }, (_, i) => seriesRow(s, i));
}

/** The series as CSV: a header of `t` and the columns, one row per point, empty cells for nulls. */
export function seriesCsv(s: GraphSeries): string {
  const lines = [['t', ...s.columns].join(',')];
  for (let i = 0; i < s.t.length; i++) {
    let line = String(s.t[i]!);
    for (const v of s.values) line += Number.isNaN(v[i]!) ? ',' : `,${v[i]!}`;
    lines.push(line);
  }
  return lines.join('\n') + '\n';
}
