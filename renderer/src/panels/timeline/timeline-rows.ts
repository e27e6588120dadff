import type { KernelState, TimelineMarker, TimelinePacket } from '../../../../shared/contract/index.ts';
import { analyzeStream, analyzeStreamColumns, withSegments, type Phase, type Segment, type StreamAnalysis } from '../../../../shared/timeline/tcp-analysis.ts';
import { packetFromWire } from '../../../../shared/timeline/packet-wire.ts';
import { groupStreams, type TcpStream } from '../../../../shared/timeline/tcp-streams.ts';

/**
 * The diagram's rows, derived (never stored) from a source's evidence: the segments of one
 * connection, the sockets' own events and the kernel's states, merged on one clock.
 */
export type Row =
  | { kind: 'phase'; t: number; phase: Phase; reset: boolean }
  /** `k`: the segment's index in its analysis (and in any column beside it, such as the link's arrivals). */
  | { kind: 'segment'; t: number; seg: Segment; k: number }
  | { kind: 'marker'; t: number; marker: TimelineMarker }
  | { kind: 'kernel'; t: number; kernel: KernelState };

export function streamsOf(packets: TimelinePacket[]): TcpStream[] {
  return groupStreams(packets.map(packetFromWire));
}

/**
 * Where a kernel reading goes on the time axis. The service stamps a look at the socket table
 * when it starts (kernel-states.ts); the table itself is read a moment later (the thread pool,
 * netstat), so the state it shows held at some time at or after the stamp. A state is never
 * seen before the segment that entered it: a reading stamped earlier than that entry (TIME_WAIT
 * "seen" before the FIN that led to it) is drawn at the entry, the earliest moment that agrees
 * with both the packets and the kernel. A state seen at its stamp stays there — before the
 * segment that ended it ("ESTABLISHED" before the FIN, never inside FIN_WAIT_1).
 */
function observedAt(a: StreamAnalysis, k: KernelState, stamped: number): number {
  const entries = a.states[k.side].filter((c) => c.state === k.state).map((c) => c.t);
  if (entries.length === 0 || entries.some((e) => e <= stamped)) return stamped;
  return Math.min(...entries);
}

export function buildRows(a: StreamAnalysis, markers: TimelineMarker[], kernel: KernelState[]): Row[] {
  const rel = (sec: number, ns: number) => sec - a.startSec + (ns - a.startNs) / 1e9;
  const others: Row[] = [
    // Markers of this connection, plus the server's "listening" (which belongs to no connection yet).
    ...markers
      .filter((m) => m.client === a.client || (m.client === null && m.side === 'server'))
      .map((m): Row => ({ kind: 'marker', t: rel(m.tsSec, m.tsNs), marker: m })),
    ...kernel.filter((k) => k.client === a.client).map((k): Row => ({ kind: 'kernel', t: observedAt(a, k, rel(k.tsSec, k.tsNs)), kernel: k })),
  ].sort((x, y) => x.t - y.t);
  const rows: Row[] = [];
  let phase: Phase | null = null;
  let j = 0;
  for (const [k, seg] of a.segments.entries()) {
    while (j < others.length && others[j]!.t < seg.t) rows.push(others[j++]!);
    if (seg.phase !== phase) {
      phase = seg.phase;
      // A teardown that starts with a RST is an abort, not the four-way wave.
      rows.push({ kind: 'phase', t: seg.t, phase, reset: phase === 'teardown' && seg.flags.includes('RST') });
    }
    rows.push({ kind: 'segment', t: seg.t, seg, k });
  }
  while (j < others.length) rows.push(others[j++]!);
  return rows;
}

export { analyzeStream, analyzeStreamColumns, withSegments };
