import type { Segment, StreamAnalysis } from './tcp-analysis.ts';
import type { TcpState } from './tcp-state-machine.ts';

/**
 * The `wirelab timeline --json` document (a public interface: names and fields stay as the
 * issue fixed them). Times are rounded to the nanosecond so the JSON stays short.
 */
export type DocumentSegment = Pick<Segment, 'frame' | 't' | 'from' | 'flags' | 'seq' | 'ack' | 'relSeq' | 'relAck' | 'len' | 'win' | 'badges' | 'dupAckNum'>;

export interface TimelineDocument {
  streams: (Pick<StreamAnalysis, 'client' | 'server' | 'guessed' | 'handshakeRttMs' | 'states'> & { segments: DocumentSegment[] })[];
}

const ns = (x: number) => Math.round(x * 1e9) / 1e9;

export function timelineDocument(streams: StreamAnalysis[]): TimelineDocument {
  return {
    streams: streams.map((s) => ({
      client: s.client,
      server: s.server,
      guessed: s.guessed,
      handshakeRttMs: s.handshakeRttMs === null ? null : Math.round(s.handshakeRttMs * 1e6) / 1e6,
      segments: s.segments.map((g) => ({
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
      })),
      states: {
        client: s.states.client.map((c) => ({ t: ns(c.t), state: c.state })),
        server: s.states.server.map((c) => ({ t: ns(c.t), state: c.state })),
      },
    })),
  };
}

/** A plain-text sequence diagram for terminals: one line per segment, arrows pointing the way it went. */
export function timelineText(streams: StreamAnalysis[]): string {
  const out: string[] = [];
  for (const s of streams) {
    out.push(`${s.client} → ${s.server}${s.guessed ? '  (client guessed: no SYN captured)' : ''}`);
    if (s.handshakeRttMs !== null) out.push(`  handshake RTT (SYN → SYN-ACK): ${s.handshakeRttMs.toFixed(3)} ms`);
    for (const g of s.segments) {
      const label = `${g.flags.join(',')} seq=${g.relSeq}${g.relAck === null ? '' : ` ack=${g.relAck}`} len=${g.len} win=${g.winScaled ?? g.win}${g.badges.length ? ` [${g.badges.map((b) => (b === 'dup-ack' ? `dup-ack #${g.dupAckNum}` : b)).join(', ')}]` : ''}`;
      const arrow = g.from === 'client' ? `  ──${label}──▶` : `◀──${label}──  `;
      out.push(`  #${String(g.frame).padEnd(6)} ${g.t.toFixed(6).padStart(11)}s  ${arrow}`);
    }
    const lane = (xs: { state: TcpState }[]) => xs.map((x) => x.state).join(' → ');
    out.push(`  client: ${lane(s.states.client)}`);
    out.push(`  server: ${lane(s.states.server)}`);
    out.push('');
  }
  return out.join('\n');
}
