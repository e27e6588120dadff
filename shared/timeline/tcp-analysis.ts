import { grown, PacketTable } from './packet-table.ts';
import { ACK, FIN, RST, SYN, flagList, type TcpOptions } from './tcp-packet.ts';
import { splitEndpoint, type StreamRows, type TcpStream } from './tcp-streams.ts';
import { TcpEndpoint, type TcpState } from './tcp-state-machine.ts';

export type Side = 'client' | 'server';
/**
 * What Wireshark's TCP analysis says of a segment (tcp.analysis.*), by the same rules
 * (epan/dissectors/packet-tcp.c, tcp_analyze_sequence_number), plus two of our own: `rst`, and
 * `window-probe` beside `keep-alive` when the probe was sent into a zero window (RFC 9293
 * §3.8.6.1: Linux probes a closed window with a keep-alive shaped segment).
 */
export type Badge =
  | 'retransmission'
  | 'fast-retransmission'
  | 'spurious-retransmission'
  | 'out-of-order'
  | 'previous-segment-not-captured'
  | 'acked-unseen-segment'
  | 'dup-ack'
  | 'zero-window'
  | 'zero-window-probe'
  | 'zero-window-probe-ack'
  | 'window-update'
  | 'window-full'
  | 'window-probe'
  | 'rst'
  | 'keep-alive'
  | 'keep-alive-ack';

/** The badges that mean "this data was sent before" (tshark sets tcp.analysis.retransmission for each). */
export const RETRANSMISSION_BADGES: readonly Badge[] = ['retransmission', 'fast-retransmission', 'spurious-retransmission'];
export type Phase = 'handshake' | 'data' | 'teardown';

/** One arrow of the sequence diagram. Field names match `wirelab timeline --json`. */
export interface Segment {
  frame: number;
  /** Seconds since the stream's first segment. */
  t: number;
  /** Seconds since the previous segment of the stream. */
  dt: number;
  from: Side;
  flags: string[];
  seq: number;
  ack: number | null;
  /** seq − ISN of the sender, mod 2^32: the notes' "seq = J" reads 0 on the SYN. */
  relSeq: number;
  relAck: number | null;
  len: number;
  /** The window field as sent. */
  win: number;
  /** win × 2^wscale once both SYNs agreed on scaling (RFC 7323 §2.2); null when the SYNs were not captured. */
  winScaled: number | null;
  badges: Badge[];
  /** Which duplicate of the last ACK this is (Wireshark's "Duplicate ACK #n"); null when not a dup ACK. */
  dupAckNum: number | null;
  /** SACK blocks (RFC 2018) as [left, right) relative to the peer's ISN, as tshark's sack_le / sack_re; null without the option. */
  sack: [number, number][] | null;
  /** Data sent and not yet acknowledged after this segment (tcp.analysis.bytes_in_flight); null where tshark prints none. */
  bytesInFlight: number | null;
  /** Time since the segment this one acknowledges was sent (tcp.analysis.ack_rtt), in ms; null when it acknowledges none exactly. */
  ackRttMs: number | null;
  /** The frame that ackRttMs measures from (tcp.analysis.acks_frame). */
  ackedFrame: number | null;
  /** The acknowledged data was sent more than once: by Karn's rule (RFC 6298 §3) the ACK gives no RTT sample. */
  ackRttAmbiguous: boolean;
  phase: Phase;
  /** The TCP options, for segments that carry more than padding. */
  options: TcpOptions | null;
}

export interface StateChange {
  t: number;
  state: TcpState;
}

export interface StreamAnalysis {
  client: string;
  server: string;
  guessed: boolean;
  /** SYN to SYN-ACK as the capture saw it; null without both. */
  handshakeRttMs: number | null;
  segments: Segment[];
  states: { client: StateChange[]; server: StateChange[] };
  /** Options each side offered in its SYN (MSS, window scale, SACK, timestamps). */
  synOptions: { client: TcpOptions | null; server: TcpOptions | null };
  /** SYN to the ACK that completed the handshake (Wireshark's iRTT), ms; null without both. */
  initialRttMs: number | null;
  /** Absolute start time of the stream (seconds and ns since 1970) for joining other evidence. */
  startSec: number;
  startNs: number;
}

/**
 * A direction's unacknowledged segments (Wireshark's list of tcp_unacked_t), oldest first, as
 * columns: a bulk transfer adds one per data segment and drops it an RTT later, and a million
 * short-lived objects (with the array shrinking and growing under them) cost a fifth of the
 * analysis. `resent`: sent again later (or itself a resend), so an ACK of it gives no RTT
 * sample (Karn).
 */
class UnackedList {
  n = 0;
  frame = new Float64Array(64);
  seq = new Float64Array(64);
  nextseq = new Float64Array(64);
  t = new Float64Array(64);
  resent = new Uint8Array(64);

  push(frame: number, seq: number, nextseq: number, t: number, resent: boolean): void {
    if (this.n === this.frame.length) this.grow();
    const i = this.n++;
    this.frame[i] = frame;
    this.seq[i] = seq;
    this.nextseq[i] = nextseq;
    this.t[i] = t;
    this.resent[i] = resent ? 1 : 0;
  }

  /** Keeps entry r as entry w (the ACK loop's compaction). */
  move(r: number, w: number): void {
    this.frame[w] = this.frame[r]!;
    this.seq[w] = this.seq[r]!;
    this.nextseq[w] = this.nextseq[r]!;
    this.t[w] = this.t[r]!;
    this.resent[w] = this.resent[r]!;
  }

  private grow(): void {
    const n = this.frame.length * 2;
    this.frame = grown(this.frame, n);
    this.seq = grown(this.seq, n);
    this.nextseq = grown(this.nextseq, n);
    this.t = grown(this.t, n);
    this.resent = grown(this.resent, n);
  }
}

/**
 * Wireshark's per-direction sequence analysis state. Sequence numbers are absolute, compared
 * mod 2^32; 0 stands for "not seen yet" as it does there, so the outcome matches tshark's.
 */
interface Flow {
  nextseq: number;
  nextseqTime: number;
  maxseqtobeacked: number;
  lastack: number;
  lastackTime: number;
  /** The window field of this direction's latest segment (raw); -1 before any. */
  window: number;
  /** The latest segment of this direction was a SYN (its window is never scaled). */
  lastWasSyn: boolean;
  dupacknum: number;
  lastKeepAlive: boolean;
  lastZeroWindowProbe: boolean;
  unacked: UnackedList;
  validBif: boolean;
  /** The SACK blocks of this direction's latest segment as left/right pairs (at most 3 blocks are kept, as Wireshark keeps them). */
  sack: number[];
}

type FlowState = Flow & { firstRtt: number | null };

const newFlow = (): FlowState => ({
  firstRtt: null,
  nextseq: 0,
  nextseqTime: 0,
  maxseqtobeacked: 0,
  lastack: 0,
  lastackTime: 0,
  window: -1,
  lastWasSyn: false,
  dupacknum: 0,
  lastKeepAlive: false,
  lastZeroWindowProbe: false,
  unacked: new UnackedList(),
  validBif: true,
  sack: [],
});

/**
 * Every badge, as one bit of a segment's mask. The bits run in the order the analysis finds them
 * (judge below, then `rst` first), so a mask read back bit by bit gives the list Wireshark's
 * order gives.
 */
const badgeBits: readonly Badge[] = [
  'rst',
  'zero-window-probe',
  'zero-window',
  'previous-segment-not-captured',
  'keep-alive',
  'window-probe',
  'window-update',
  'window-full',
  'keep-alive-ack',
  'zero-window-probe-ack',
  'dup-ack',
  'acked-unseen-segment',
  'spurious-retransmission',
  'fast-retransmission',
  'out-of-order',
  'retransmission',
];
const bit = (b: Badge) => 1 << badgeBits.indexOf(b);
const B = Object.fromEntries(badgeBits.map((b) => [b, bit(b)])) as Record<Badge, number>;
/** The bits of RETRANSMISSION_BADGES: "this data was sent before". */
export const RESENT_BITS = RETRANSMISSION_BADGES.reduce((m, b) => m | bit(b), 0);

const NO_BADGES = Object.freeze([]) as unknown as Badge[];
/** One shared, frozen list per mask: a stream has a handful of them and a million segments. */
const badgeLists = new Map<number, Badge[]>([[0, NO_BADGES]]);
/** A segment's badge mask as the list `timeline --json` prints. */
export function badgesOf(mask: number): Badge[] {
  let list = badgeLists.get(mask);
  if (!list) badgeLists.set(mask, (list = Object.freeze(badgeBits.filter((_, i) => mask & (1 << i))) as Badge[]));
  return list;
}

/** One shared, frozen list per flag combination, as for badges. */
const flagCache = new Map<number, string[]>();
export function flagNames(flags: number): string[] {
  let f = flagCache.get(flags);
  if (!f) flagCache.set(flags, (f = Object.freeze(flagList(flags)) as string[]));
  return f;
}

/** Wireshark stops listing unacknowledged segments past this many (TCP_MAX_UNACKED_SEGMENTS). */
const MAX_UNACKED = 10000;
const NO_SACK = Object.freeze([]) as unknown as number[];
const diff = (a: number, b: number) => (a - b) | 0;
/** 2^shift for each window scale shift (RFC 7323 §2.3 allows up to 14; the field can say 255). */
const scales = Float64Array.from({ length: 256 }, (_, i) => 2 ** i);
const GT = (a: number, b: number) => diff(a, b) > 0;
const LT = (a: number, b: number) => diff(a, b) < 0;
const LE = (a: number, b: number) => diff(a, b) <= 0;

/** What judge found, read at once by the caller (one object for every segment: a million fewer allocations). */
const judged = { badges: 0, dupAckNum: 0, bytesInFlight: NaN, ackRtt: NaN, ackedFrame: NaN, ackRttAmbiguous: false };
/** What a segment the near capture never had is judged: nothing (analyzeRows' `arrived`). */
const UNJUDGED: typeof judged = Object.freeze({ ...judged });

/**
 * One segment through Wireshark's sequence analysis (tcp_analyze_sequence_number in
 * epan/dissectors/packet-tcp.c, its default preferences: fast retransmission before
 * out-of-order, bytes in flight from the payloads), so each badge, ack_rtt and bytes in flight
 * here is what tshark prints for the frame. `fwd` is the sender's direction, `rev` the peer's;
 * `revShift` the peer's window scale (null when the handshake was not captured); `sack` the
 * segment's SACK blocks as pairs, `hasSack` whether it carried the option.
 */
function judge(
  frame: number,
  seq: number,
  ack: number,
  window: number,
  flags: number,
  seglen: number,
  t: number,
  fwd: FlowState,
  rev: FlowState,
  revShift: number | null,
  sack: number[],
  hasSack: boolean,
): typeof judged {
  const synFinRst = (flags & (SYN | FIN | RST)) !== 0;
  let badges = 0;
  let dupAckNum = 0;
  if (flags & ACK) rev.validBif = true;

  let zeroWindowProbe = false;
  let keepAlive = false;
  // A zero-window probe: one byte at the next seq while the peer's window is closed.
  if (seglen === 1 && seq === fwd.nextseq && rev.window === 0) {
    zeroWindowProbe = true;
    badges |= B['zero-window-probe'];
  } else {
    if (window === 0 && !synFinRst) badges |= B['zero-window'];
    // Beyond the highest seq seen: the capture missed what came between.
    if (fwd.nextseq !== 0 && GT(seq, fwd.nextseq) && !(flags & RST)) {
      badges |= B['previous-segment-not-captured'];
      fwd.validBif = false;
    }
    // 0 or 1 byte, one byte before the next seq: a keep-alive (RFC 9293 §3.8.4).
    if (seglen <= 1 && seq === (fwd.nextseq - 1) >>> 0 && !(flags & (SYN | FIN | RST))) {
      keepAlive = true;
      badges |= B['keep-alive'];
      if (rev.window === 0) badges |= B['window-probe'];
    }
    const sameAck = seglen === 0 && seq === fwd.nextseq && ack === fwd.lastack && !synFinRst;
    // Nothing new but the window: the receiver has read and says the sender may send more.
    if (sameAck && window !== 0 && window !== fwd.window) badges |= B['window-update'];
    // The data reaches the right edge of the window the peer last offered.
    if (seglen > 0 && revShift !== null && !synFinRst) {
      // (A multiply by the scale, not 2 ** shift: the power ran a tenth of the analysis's time.)
      const edge = (rev.lastack + rev.window * (rev.lastWasSyn ? 1 : scales[revShift]!)) >>> 0;
      if ((seq + seglen) >>> 0 === edge) badges |= B['window-full'];
    }
    if (sameAck && window !== 0 && window === fwd.window && rev.lastKeepAlive) badges |= B['keep-alive-ack'];
    else if (sameAck && window === 0 && window === fwd.window && rev.lastZeroWindowProbe) badges |= B['zero-window-probe-ack'];
    else if (sameAck && window !== 0 && window === fwd.window) {
      // A duplicate ACK (RFC 5681 §2): same ack, same window, no data. -1 means an unseen
      // segment was just acknowledged; that ACK starts the count again.
      fwd.dupacknum = fwd.dupacknum === -1 ? 1 : fwd.dupacknum + 1;
      dupAckNum = fwd.dupacknum;
      badges |= B['dup-ack'];
    }
  }
  if (ack !== fwd.lastack) fwd.dupacknum = 0;

  // Acknowledges beyond anything the other direction was seen to send.
  if (rev.maxseqtobeacked !== 0 && GT(ack, rev.maxseqtobeacked) && flags & ACK) {
    // (Wireshark compares these two as plain numbers, not mod 2^32.)
    if (rev.maxseqtobeacked > rev.nextseq) {
      rev.maxseqtobeacked = rev.nextseq;
      badges |= B['acked-unseen-segment'];
    } else {
      if (rev.dupacknum === 0) badges |= B['acked-unseen-segment'];
      rev.dupacknum = -1;
    }
  }

  // Data (or SYN/FIN) that does not advance the sequence: one of the retransmission kinds.
  let resent = false;
  if ((seglen > 0 || flags & (SYN | FIN)) && !keepAlive) {
    let notAdvanced = fwd.nextseq !== 0 && LT(seq, fwd.nextseq);
    // One byte back with new data after it: the segment after a window probe, not a resend.
    if (seglen > 1 && (fwd.nextseq - 1) >>> 0 === seq) notAdvanced = false;
    const ooo = fwd.firstRtt === null || fwd.firstRtt === 0 ? 0.003 : fwd.firstRtt;
    const end = (seq + seglen + (flags & (SYN | FIN) ? 1 : 0)) >>> 0;
    if (seglen > 0 && rev.lastack !== 0 && LE((seq + seglen) >>> 0, rev.lastack)) {
      // All of it was acknowledged already: it need not have been sent again.
      badges |= B['spurious-retransmission'];
      resent = true;
    } else if (notAdvanced && rev.dupacknum >= 2 && rev.lastack === seq && t - rev.lastackTime < 0.02) {
      // Two or more duplicate ACKs asked for exactly this seq within 20 ms (RFC 5681 §3.2).
      badges |= B['fast-retransmission'];
      resent = true;
    } else if (notAdvanced && t - fwd.nextseqTime < ooo && fwd.nextseq !== end) {
      // Came soon after the highest segment (within the handshake's RTT): reordered, not resent.
      badges |= B['out-of-order'];
    } else if (notAdvanced) {
      badges |= B.retransmission;
      resent = true;
    }
  }

  let nextseq = (seq + seglen) >>> 0;
  const mine = fwd.unacked;
  if ((seglen > 0 || flags & (SYN | FIN)) && mine.n < MAX_UNACKED) {
    if (flags & (SYN | FIN)) nextseq = (nextseq + 1) >>> 0;
    if (resent) for (let u = 0; u < mine.n; u++) if (LT(mine.seq[u]!, nextseq) && GT(mine.nextseq[u]!, seq)) mine.resent[u] = 1;
    mine.push(frame, seq, nextseq, t, resent);
  }
  if (!zeroWindowProbe && (GT(nextseq, fwd.nextseq) || fwd.nextseq === 0)) {
    fwd.nextseq = nextseq;
    fwd.nextseqTime = t;
  }
  if (!zeroWindowProbe && (seq === fwd.maxseqtobeacked || fwd.maxseqtobeacked === 0)) fwd.maxseqtobeacked = fwd.nextseq;
  fwd.window = window;
  fwd.lastWasSyn = (flags & SYN) !== 0;
  fwd.lastack = ack;
  fwd.lastackTime = t;
  fwd.lastKeepAlive = keepAlive;
  fwd.lastZeroWindowProbe = zeroWindowProbe;

  // What this ACK acknowledges of the other direction: ack_rtt from the oldest segment it ends
  // exactly; a segment it covers in part keeps only the rest.
  let ackRtt = NaN;
  let ackedFrame = NaN;
  let ackRttAmbiguous = false;
  let matches = 0;
  const list = rev.unacked;
  let w = 0;
  for (let r = 0; r < list.n; r++) {
    const next = list.nextseq[r]!;
    if (ack === next) {
      if (matches++ === 0) {
        ackRtt = t - list.t[r]!;
        ackedFrame = list.frame[r]!;
      }
      if (list.resent[r]) ackRttAmbiguous = true;
      continue;
    }
    if (GT(ack, list.seq[r]!) && LE(ack, next)) list.seq[r] = ack;
    if (GT(next, ack)) {
      if (w !== r) list.move(r, w);
      w++;
    }
  }
  list.n = w;
  if (matches > 1) ackRttAmbiguous = true;
  if (ackRtt === 0) ackRtt = NaN;

  // Bytes in flight after this segment: from the lowest unacknowledged seq to the highest
  // sent, less what the peer's latest SACK blocks say arrived.
  let bytesInFlight = NaN;
  if (seglen !== 0 && mine.n > 0 && fwd.validBif) {
    let lo = mine.seq[0]!;
    let hi = mine.nextseq[0]!;
    for (let u = 0; u < mine.n; u++) {
      if (GT(mine.nextseq[u]!, hi)) hi = mine.nextseq[u]!;
      if (LT(mine.seq[u]!, lo)) lo = mine.seq[u]!;
    }
    let inFlight = (hi - lo) >>> 0;
    const s = rev.sack;
    for (let k = 0; k + 1 < s.length; k += 2) inFlight = (inFlight - ((s[k + 1]! - s[k]!) >>> 0)) >>> 0;
    if (inFlight > 0 && inFlight < 2e9) bytesInFlight = inFlight - (flags & (SYN | FIN) ? 1 : 0);
  }
  fwd.sack = hasSack && sack.length ? sack.slice(0, 6) : NO_SACK;
  judged.badges = badges;
  judged.dupAckNum = dupAckNum;
  judged.bytesInFlight = bytesInFlight;
  judged.ackRtt = ackRtt;
  judged.ackedFrame = ackedFrame;
  judged.ackRttAmbiguous = ackRttAmbiguous;
  return judged;
}

/**
 * The state the server's lane starts in: ESTABLISHED when no SYN was captured (the connection was
 * open before), CLOSED when it answered the SYN with a RST and never a SYN-ACK (no listener), else LISTEN.
 */
export function serverStartState(hasSyn: boolean, hasSynAck: boolean, serverRst: boolean): TcpState {
  return !hasSyn ? 'ESTABLISHED' : hasSynAck || !serverRst ? 'LISTEN' : 'CLOSED';
}

const phaseCodes: readonly Phase[] = ['handshake', 'data', 'teardown'];

/**
 * A stream's segments as columns, one typed array per Segment field (row i is segment i).
 * NaN stands for null; `from` is 0 for the client and 1 for the server; `badges` a mask (badgesOf);
 * each segment's SACK blocks, relative to the peer's ISN, are sackLen pairs at sackAt of `sackPool`
 * (sackLen −1 without the option). Graphs read these directly; `segmentsOf` makes the objects.
 */
export interface SegmentColumns {
  length: number;
  frame: Uint32Array;
  t: Float64Array;
  from: Uint8Array;
  flags: Uint16Array;
  seq: Uint32Array;
  ack: Uint32Array;
  relSeq: Uint32Array;
  relAck: Float64Array;
  len: Uint32Array;
  win: Uint16Array;
  winScaled: Float64Array;
  badges: Uint32Array;
  dupAckNum: Uint32Array;
  bytesInFlight: Float64Array;
  ackRttMs: Float64Array;
  ackedFrame: Float64Array;
  ackRttAmbiguous: Uint8Array;
  phase: Uint8Array;
  sackAt: Uint32Array;
  sackLen: Int8Array;
  sackPool: Float64Array;
}

/** A stream's analysis with its segments as columns, and the packets they came from (for their options). */
export type ColumnAnalysis = Omit<StreamAnalysis, 'segments'> & { columns: SegmentColumns; table: PacketTable; rows: ArrayLike<number> };

/** The side of a segment, from its column. */
export const sideOf = (from: number): Side => (from === 0 ? 'client' : 'server');

/**
 * Builds the diagram of one stream: relative numbers, scaled windows, badges, phases and both
 * state lanes, as columns (`stream.rows` of `table`).
 *
 * `arrived` (an emulated link's join, one entry per row of the stream, as segmentArrivals gives:
 * 1, 0 lost on the link, -1 unknown) marks the server's segments that only the server's capture
 * has (link-join.ts withFarLost: a server segment the client's capture holds arrived by
 * definition). Those are drawn but were never at the client: they get no badges and leave the
 * judged flows as they were, so every other segment is badged as tshark badges the client's
 * capture. No lost segment (either way) is received by the other end's lane, so the phases follow
 * what arrived: a lost handshake ACK leaves the handshake open until a later one gets through.
 */
export function analyzeRows(
  table: PacketTable,
  stream: Pick<StreamRows, 'client' | 'server' | 'guessed' | 'rows'>,
  arrived?: ArrayLike<number> | null,
): ColumnAnalysis {
  const rows = stream.rows;
  const n = rows.length;
  const { seq: seqOf, ack: ackOf, flags: flagsOf, win: winOf, len: lenOf, frame: frameOf, tsSec, tsNs } = table;
  const first = rows[0]!;
  const startSec = tsSec[first]!;
  const startNs = tsNs[first]!;

  // The client's address and port once, not a string built per packet (a million-packet stream).
  const clientEnd = splitEndpoint(stream.client);
  const clientAddr = clientEnd ? table.idOf(clientEnd.host) : -1;
  const clientPort = clientEnd ? clientEnd.port : -1;
  const from = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const i = rows[k]!;
    from[k] = table.src[i] === clientAddr && table.srcPort[i] === clientPort ? 0 : 1;
  }
  const isn: [number | null, number | null] = [null, null];
  const wscale: [number | null, number | null] = [null, null];
  const syn: [TcpOptions | null, TcpOptions | null] = [null, null];

  // The ISN of each side is its SYN's seq. Without a SYN, Wireshark takes the first seq seen
  // minus one (as if a SYN had come just before), so data still starts at relative 1.
  let hasSyn = false;
  let hasSynAck = false;
  let serverRst = false;
  for (let k = 0; k < n; k++) {
    const i = rows[k]!;
    const f = flagsOf[i]!;
    if (f & SYN) hasSyn = true;
    if ((f & (SYN | ACK)) === (SYN | ACK)) hasSynAck = true;
    if (f & RST && from[k] === 1) serverRst = true;
    const side = from[k] as 0 | 1;
    if (f & SYN && isn[side] === null) {
      isn[side] = seqOf[i]!;
      const o = table.options(i) ?? { kinds: [] };
      syn[side] = o;
      wscale[side] = o.wscale ?? null;
    }
  }
  for (let k = 0; k < n && (isn[0] === null || isn[1] === null); k++) {
    const side = from[k] as 0 | 1;
    if (isn[side] === null) isn[side] = (seqOf[rows[k]!]! - 1) >>> 0;
  }
  // Window scaling is in force only when both SYNs carried the option (RFC 7323 §2.2).
  const scaling = wscale[0] !== null && wscale[1] !== null;
  const sawBothSyns = syn[0] !== null && syn[1] !== null;

  const serverStart = serverStartState(hasSyn, hasSynAck, serverRst);
  const ends: [TcpEndpoint, TcpEndpoint] = [new TcpEndpoint(hasSyn ? 'CLOSED' : 'ESTABLISHED'), new TcpEndpoint(serverStart)];
  const states: StreamAnalysis['states'] = {
    client: hasSyn ? [] : [{ t: 0, state: 'ESTABLISHED' }],
    server: [{ t: 0, state: serverStart }],
  };
  const lanes = [states.client, states.server];

  const c: SegmentColumns = {
    length: n,
    frame: new Uint32Array(n),
    t: new Float64Array(n),
    from,
    flags: new Uint16Array(n),
    seq: new Uint32Array(n),
    ack: new Uint32Array(n),
    relSeq: new Uint32Array(n),
    relAck: new Float64Array(n),
    len: new Uint32Array(n),
    win: new Uint16Array(n),
    winScaled: new Float64Array(n),
    badges: new Uint32Array(n),
    dupAckNum: new Uint32Array(n),
    bytesInFlight: new Float64Array(n),
    ackRttMs: new Float64Array(n),
    ackedFrame: new Float64Array(n),
    ackRttAmbiguous: new Uint8Array(n),
    phase: new Uint8Array(n),
    sackAt: new Uint32Array(n),
    sackLen: new Int8Array(n),
    sackPool: new Float64Array(0),
  };
  const sackPool: number[] = [];
  const sack: number[] = [];
  const view = { flags: 0, seq: 0, ack: 0, len: 0 };

  let synT: number | null = null;
  let synAckT: number | null = null;
  let synAmbiguous = false;
  let tearing = false;
  let mruSynT: number | null = null;
  let firstRtt: number | null = null;
  const flows: [FlowState, FlowState] = [newFlow(), newFlow()];
  // The shift that applies to each side's window field: 0 without scaling, and unknown (null)
  // without both SYNs, when Wireshark does not judge "window full".
  const windowShift: [number | null, number | null] = [sawBothSyns ? (scaling ? wscale[0]! : 0) : null, sawBothSyns ? (scaling ? wscale[1]! : 0) : null];
  for (let k = 0; k < n; k++) {
    const i = rows[k]!;
    const side = from[k] as 0 | 1;
    const to = (1 - side) as 0 | 1;
    const flags = flagsOf[i]!;
    const seq = seqOf[i]!;
    const ack = ackOf[i]!;
    const win = winOf[i]!;
    const len = lenOf[i]!;
    const t = tsSec[i]! - startSec + (tsNs[i]! - startNs) / 1e9;
    const hasAck = (flags & ACK) !== 0;
    const isSyn = (flags & SYN) !== 0;
    const isFin = (flags & FIN) !== 0;
    const isRst = (flags & RST) !== 0;

    // Sent by the server, never at the client (see above): not judged, not received, not timed.
    const unseen = side === 1 && arrived?.[k] === 0;
    if (!unseen) {
      if (isSyn && !hasAck && synT === null) synT = t;
      // Karn's rule (RFC 6298 §3): once the SYN was sent again, the SYN-ACK may answer either
      // copy, so the handshake gives no RTT sample.
      else if (isSyn && !hasAck && synAckT === null) synAmbiguous = true;
      if (isSyn && hasAck && synAckT === null && synT !== null) synAckT = t;
      // Wireshark's iRTT: the latest SYN to the first ACK without SYN after it.
      if (isSyn && !hasAck) mruSynT = t;
      else if (hasAck && !isSyn && mruSynT !== null && firstRtt === null) firstRtt = t - mruSynT;
    }
    flows[side].firstRtt = flows[to].firstRtt = firstRtt;

    const hasSack = table.sack(i, sack);
    const j = unseen ? UNJUDGED : judge(frameOf[i]!, seq, ack, win, flags, len, t, flows[side], flows[to], windowShift[to], sack, hasSack);

    const handshakeDone = ends[0].state !== 'CLOSED' && ends[0].state !== 'SYN_SENT' && ends[1].state !== 'LISTEN' && ends[1].state !== 'SYN_RCVD';
    if (isFin || isRst) tearing = true;
    c.phase[k] = tearing ? 2 : handshakeDone ? 1 : 0;

    view.flags = flags;
    view.seq = seq;
    view.ack = ack;
    view.len = len;
    for (const st of ends[side].step(view, true)) lanes[side]!.push({ t, state: st });
    // A segment the link lost was never received: the other end's state does not move on it.
    if (arrived?.[k] !== 0) for (const st of ends[to].step(view, false)) lanes[to]!.push({ t, state: st });

    const peerIsn = isn[to];
    c.frame[k] = frameOf[i]!;
    c.t[k] = t;
    c.flags[k] = flags;
    c.seq[k] = seq;
    c.ack[k] = ack;
    c.relSeq[k] = (seq - isn[side]!) >>> 0;
    c.relAck[k] = hasAck && peerIsn !== null ? (ack - peerIsn) >>> 0 : NaN;
    c.len[k] = len;
    c.win[k] = win;
    c.winScaled[k] = isSyn ? win : sawBothSyns ? (scaling ? win * scales[wscale[side]!]! : win) : NaN;
    c.badges[k] = j.badges | (isRst ? B.rst : 0);
    c.dupAckNum[k] = j.dupAckNum;
    c.bytesInFlight[k] = j.bytesInFlight;
    c.ackRttMs[k] = j.ackRtt * 1000;
    c.ackedFrame[k] = j.ackedFrame;
    c.ackRttAmbiguous[k] = j.ackRttAmbiguous ? 1 : 0;
    if (hasSack) {
      c.sackAt[k] = sackPool.length;
      c.sackLen[k] = Math.min(127, sack.length >> 1);
      for (let b = 0; b < sack.length && b < 254; b++) sackPool.push((sack[b]! - peerIsn!) >>> 0);
    } else c.sackLen[k] = -1;
  }
  c.sackPool = Float64Array.from(sackPool);
  return {
    client: stream.client,
    server: stream.server,
    guessed: stream.guessed,
    handshakeRttMs: synT !== null && synAckT !== null && !synAmbiguous ? (synAckT - synT) * 1000 : null,
    columns: c,
    states,
    synOptions: { client: syn[0], server: syn[1] },
    initialRttMs: firstRtt === null ? null : firstRtt * 1000,
    startSec,
    startNs,
    table,
    rows,
  };
}

const orNull = (x: number) => (Number.isNaN(x) ? null : x);

/** The segments of a column analysis as objects: the sequence diagram's rows and `timeline --json`'s segments. */
export function segmentsOf(a: ColumnAnalysis): Segment[] {
  const c = a.columns;
  const out: Segment[] = new Array<Segment>(c.length);
  for (let k = 0; k < c.length; k++) {
    const t = c.t[k]!;
    const hasAck = (c.flags[k]! & ACK) !== 0;
    const sackLen = c.sackLen[k]!;
    let sack: [number, number][] | null = null;
    if (sackLen >= 0) {
      sack = [];
      for (let b = 0; b < sackLen; b++) sack.push([c.sackPool[c.sackAt[k]! + 2 * b]!, c.sackPool[c.sackAt[k]! + 2 * b + 1]!]);
    }
    out[k] = {
      frame: c.frame[k]!,
      t,
      dt: t - (k ? c.t[k - 1]! : 0),
      from: sideOf(c.from[k]!),
      flags: flagNames(c.flags[k]!),
      seq: c.seq[k]!,
      ack: hasAck ? c.ack[k]! : null,
      relSeq: c.relSeq[k]!,
      relAck: orNull(c.relAck[k]!),
      len: c.len[k]!,
      win: c.win[k]!,
      winScaled: orNull(c.winScaled[k]!),
      badges: badgesOf(c.badges[k]!),
      dupAckNum: c.dupAckNum[k]! || null,
      sack,
      bytesInFlight: orNull(c.bytesInFlight[k]!),
      ackRttMs: orNull(c.ackRttMs[k]!),
      ackedFrame: orNull(c.ackedFrame[k]!),
      ackRttAmbiguous: c.ackRttAmbiguous[k] === 1,
      phase: phaseCodes[c.phase[k]!]!,
      options: a.table.options(a.rows[k]!),
    };
  }
  return out;
}

/** A stream of packet objects analysed as columns (its packets become a table first). */
export function analyzeStreamColumns(stream: TcpStream, arrived?: ArrayLike<number> | null): ColumnAnalysis {
  return analyzeRows(PacketTable.of(stream.packets), { ...stream, rows: Uint32Array.from(stream.packets.keys()) }, arrived);
}

/** A column analysis with its segments as objects (what the sequence diagram and `timeline --json` read). */
export function withSegments(a: ColumnAnalysis): StreamAnalysis {
  return {
    client: a.client,
    server: a.server,
    guessed: a.guessed,
    handshakeRttMs: a.handshakeRttMs,
    segments: segmentsOf(a),
    states: a.states,
    synOptions: a.synOptions,
    initialRttMs: a.initialRttMs,
    startSec: a.startSec,
    startNs: a.startNs,
  };
}

/** Builds the diagram of one stream: relative numbers, scaled windows, badges, phases and both state lanes. */
export function analyzeStream(stream: TcpStream): StreamAnalysis {
  return withSegments(analyzeStreamColumns(stream));
}
