import { ACK, FIN, RST, SYN } from './tcp-packet.ts';

/**
 * The TCP connection state machine of RFC 9293 §3.3.2 (figure 5), for one end, driven by the
 * segments that end sent and received. Loopback transitions last microseconds, far too short
 * for polling /proc/net/tcp to catch (the notes): SYN_SENT, SYN_RCVD, LAST_ACK and CLOSING are
 * only ever seen this way.
 *
 *   client: CLOSED → SYN_SENT → ESTABLISHED → FIN_WAIT_1 → FIN_WAIT_2 → TIME_WAIT
 *   server: LISTEN → SYN_RCVD → ESTABLISHED → CLOSE_WAIT → LAST_ACK → CLOSED
 */
export type TcpState =
  'CLOSED' | 'LISTEN' | 'SYN_SENT' | 'SYN_RCVD' | 'ESTABLISHED' | 'FIN_WAIT_1' | 'FIN_WAIT_2' | 'CLOSE_WAIT' | 'CLOSING' | 'LAST_ACK' | 'TIME_WAIT';

/** Linux keeps TIME_WAIT a fixed 60 s (TCP_TIMEWAIT_LEN), not a tunable 2×MSL (the notes). */
export const LINUX_TIME_WAIT_SECONDS = 60;

/**
 * How long each OS holds TIME_WAIT by default, for a countdown where the kernel's own timer
 * cannot be read (netstat shows none): Linux 60 s; macOS 2 × net.inet.tcp.msl (15 s) = 30 s;
 * Windows TcpTimedWaitDelay, 120 s since Windows Server 2003 (older: 240 s).
 */
export function timeWaitSeconds(platform: string): number {
  return platform === 'darwin' ? 30 : platform === 'win32' ? 120 : LINUX_TIME_WAIT_SECONDS;
}

/** /proc/net/tcp's names for the same states (include/net/tcp_states.h) mapped to RFC names. */
export const kernelStateNames: Record<string, TcpState> = {
  ESTABLISHED: 'ESTABLISHED',
  SYN_SENT: 'SYN_SENT',
  SYN_RECV: 'SYN_RCVD',
  FIN_WAIT1: 'FIN_WAIT_1',
  FIN_WAIT2: 'FIN_WAIT_2',
  TIME_WAIT: 'TIME_WAIT',
  CLOSE: 'CLOSED',
  CLOSE_WAIT: 'CLOSE_WAIT',
  LAST_ACK: 'LAST_ACK',
  LISTEN: 'LISTEN',
  CLOSING: 'CLOSING',
};

export interface SegmentView {
  flags: number;
  seq: number;
  ack: number;
  len: number;
}

/** a ≥ b in sequence space, modulo 2^32 (RFC 9293 §3.4). */
export function seqGE(a: number, b: number): boolean {
  return ((a - b) | 0) >= 0;
}

const NO_CHANGE: TcpState[] = Object.freeze([]) as unknown as TcpState[];

export class TcpEndpoint {
  state: TcpState;
  /** The sequence number just past our FIN, once sent: the peer's ACK of it has ack ≥ this. */
  private finEnd: number | null = null;
  private synSeq: number | null = null;

  constructor(initial: TcpState) {
    this.state = initial;
  }

  /** Feeds one segment this end sent (sent=true) or received; returns the states it passed through. */
  step(seg: SegmentView, sent: boolean): TcpState[] {
    // The bulk of a transfer: an established end, no SYN/FIN/RST, no FIN of ours to be acked.
    if (this.state === 'ESTABLISHED' && this.finEnd === null && !(seg.flags & (RST | SYN | FIN))) return NO_CHANGE;
    const before = this.state;
    const changes: TcpState[] = [];
    const go = (s: TcpState) => {
      if (s !== this.state) {
        this.state = s;
        changes.push(s);
      }
    };
    const { flags } = seg;
    if (flags & RST) {
      // A reset ends every synchronized state at once; TIME_WAIT ignores it (RFC 1337).
      if (before !== 'TIME_WAIT' && before !== 'LISTEN') go('CLOSED');
      else if (before === 'LISTEN' && sent) go('LISTEN');
      return changes;
    }
    if (sent) {
      if (flags & SYN) {
        this.synSeq = seg.seq;
        if (flags & ACK) {
          if (before === 'LISTEN' || before === 'CLOSED') go('SYN_RCVD');
        } else if (before === 'CLOSED' || before === 'LISTEN') go('SYN_SENT');
      }
      if (flags & FIN) {
        this.finEnd = (seg.seq + seg.len + (flags & SYN ? 1 : 0) + 1) >>> 0;
        if (this.state === 'ESTABLISHED' || this.state === 'SYN_RCVD') go('FIN_WAIT_1');
        else if (this.state === 'CLOSE_WAIT') go('LAST_ACK');
      }
      return changes;
    }
    // Received.
    if (flags & SYN) {
      if (flags & ACK) {
        if (before === 'SYN_SENT') go('ESTABLISHED');
      } else if (before === 'LISTEN') go('SYN_RCVD');
      else if (before === 'SYN_SENT') go('SYN_RCVD'); // simultaneous open
      // CLOSED: nobody listens; the kernel answers with a RST and nothing changes.
    }
    if (flags & ACK) {
      if (this.state === 'SYN_RCVD' && (this.synSeq !== null ? seqGE(seg.ack, (this.synSeq + 1) >>> 0) : !(flags & SYN))) go('ESTABLISHED');
      if (this.finEnd !== null && seqGE(seg.ack, this.finEnd)) {
        if (this.state === 'FIN_WAIT_1') go('FIN_WAIT_2');
        else if (this.state === 'CLOSING') go('TIME_WAIT');
        else if (this.state === 'LAST_ACK') go('CLOSED');
      }
    }
    if (flags & FIN) {
      if (this.state === 'ESTABLISHED' || this.state === 'SYN_RCVD') go('CLOSE_WAIT');
      else if (this.state === 'FIN_WAIT_1') go('CLOSING');
      else if (this.state === 'FIN_WAIT_2') go('TIME_WAIT');
    }
    return changes;
  }
}
