import { segmentArrivals, type FrameArrivals } from './link-join.ts';
import type { Segment, StreamAnalysis } from './tcp-analysis.ts';
import type { TcpState } from './tcp-state-machine.ts';

/**
 * The `wirelab timeline --json` document (a public interface: names and fields stay as the
 * issue fixed them). Times are rounded to the nanosecond so the JSON stays short.
 */
export type DocumentSegment = Pick<Segment, 'frame' | 't' | 'from' | 'flags' | 'seq' | 'ack' | 'relSeq' | 'relAck' | 'len' | 'win' | 'badges' | 'dupAckNum'> & {
  /** An emulated link captured at both ends (link-join.ts): whether the segment reached the other end, and how long it took (ms). */
  arrived?: boolean | null;
  oneWayMs?: number | null;
};

export interface TimelineDocument {
  streams: (Pick<StreamAnalysis, 'client' | 'server' | 'guessed' | 'handshakeRttMs' | 'states'> & { segments: DocumentSegment[] })[];
}

const ns = (x: number) => Math.round(x * 1e9) / 1e9;

/** The arrival columns of a stream's segments, when the capture was joined with the far end's. */
const arrivalsOf = (s: StreamAnalysis, a: FrameArrivals | undefined) =>
  a
    ? segmentArrivals(
        s.segments.map((g) => g.frame),
        a,
      )
    : null;

/** With `arrivals` (an emulated link's join), each segment adds `arrived` and `oneWayMs`. */
export function timelineDocument(streams: StreamAnalysis[], arrivals?: FrameArrivals): TimelineDocument {
  return {
    streams: streams.map((s) => ({
      client: s.client,
      server: s.server,
      guessed: s.guessed,
      handshakeRttMs: s.handshakeRttMs === null ? null : Math.round(s.handshakeRttMs * 1e6) / 1e6,
      segments: documentSegments(s, arrivalsOf(s, arrivals)),
      states: {
        client: s.states.client.map((c) => ({ t: ns(c.t), state: c.state })),
        server: s.states.server.map((c) => ({ t: ns(c.t), state: c.state })),
      },
    })),
  };
}

/** One pass over a stream's segments; with a join's columns each also gets `arrived` (null: unknown) and `oneWayMs` (null: lost or untimed). */
function documentSegments(s: StreamAnalysis, a: ReturnType<typeof arrivalsOf>): DocumentSegment[] {
  return s.segments.map((g, k) => {
    const d: DocumentSegment = {
      frame: g.frame,
      t: ns(g.t),
      from: g.from,
      flags: g.flags,
      seq: g.seq,
      ack: g.ack,
      relSeq: g.relSeq,
      relAck: g.relAck,
      len: g.len,
      win: g.win,
      badges: g.badges,
      dupAckNum: g.dupAckNum,
    };
    if (a) {
      const ms = a.oneWayMs[k]!;
      d.arrived = a.arrived[k]! < 0 ? null : a.arrived[k] === 1;
      d.oneWayMs = Number.isNaN(ms) ? null : ms;
    }
    return d;
  });
}

/** A plain-text sequence diagram for terminals: one line per segment, arrows pointing the way it went; with `arrivals`, "✕ lost on the link" where one never arrived. */
export function timelineText(streams: StreamAnalysis[], arrivals?: FrameArrivals): string {
  const out: string[] = [];
  for (const s of streams) {
    const a = arrivalsOf(s, arrivals);
    out.push(`${s.client} → ${s.server}${s.guessed ? '  (client guessed: no SYN captured)' : ''}`);
    if (s.handshakeRttMs !== null) out.push(`  handshake RTT (SYN → SYN-ACK): ${s.handshakeRttMs.toFixed(3)} ms`);
    for (const [k, g] of s.segments.entries()) {
      const label = `${g.flags.join(',')} seq=${g.relSeq}${g.relAck === null ? '' : ` ack=${g.relAck}`} len=${g.len} win=${g.winScaled ?? g.win}${g.badges.length ? ` [${g.badges.map((b) => (b === 'dup-ack' ? `dup-ack #${g.dupAckNum}` : b)).join(', ')}]` : ''}`;
      const arrow = g.from === 'client' ? `  ──${label}──▶` : `◀──${label}──  `;
      const lost = a?.arrived[k] === 0 ? '  ✕ lost on the link' : '';
      out.push(`  #${String(g.frame).padEnd(6)} ${g.t.toFixed(6).padStart(11)}s  ${arrow}${lost}`);
    }
    const lane = (xs: { state: TcpState }[]) => xs.map((x) => x.state).join(' → ');
    out.push(`  client: ${lane(s.states.client)}`);
    out.push(`  server: ${lane(s.states.server)}`);
    out.push('');
  }
  return out.join('\n');
}
