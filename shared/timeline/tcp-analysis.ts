import { ACK, FIN, RST, SYN, flagList, tcpOptions, type TcpOptions, type TcpPacket } from './tcp-packet.ts';
import { endpointText, splitEndpoint, type TcpStream } from './tcp-streams.ts';
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

interface DirState {
  isn: number | null;
  wscale: number | null;
}

/** One unacknowledged segment of a direction (Wireshark's tcp_unacked_t). */
interface Unacked {
  frame: number;
  seq: number;
  nextseq: number;
  t: number;
  /** Sent again later (or itself a resend): an ACK of it gives no RTT sample (Karn). */
  resent: boolean;
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
  unacked: Unacked[];
  validBif: boolean;
  /** The SACK blocks of this direction's latest segment (at most 3 are kept, as Wireshark keeps them). */
  sack: [number, number][];
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
  unacked: [],
  validBif: true,
  sack: [],
});

/** One shared, frozen list per flag combination: a stream has a handful of them and a million segments. */
const flagCache = new Map<number, string[]>();
function flagNames(flags: number): string[] {
  let f = flagCache.get(flags);
  if (!f) flagCache.set(flags, (f = Object.freeze(flagList(flags)) as string[]));
  return f;
}

/** Wireshark stops listing unacknowledged segments past this many (TCP_MAX_UNACKED_SEGMENTS). */
const MAX_UNACKED = 10000;
const NO_BADGES = Object.freeze([]) as unknown as Badge[];
const NO_SACK = Object.freeze([]) as unknown as [number, number][];
const diff = (a: number, b: number) => (a - b) | 0;
const GT = (a: number, b: number) => diff(a, b) > 0;
const LT = (a: number, b: number) => diff(a, b) < 0;
const LE = (a: number, b: number) => diff(a, b) <= 0;

interface Judged {
  badges: Badge[];
  dupAckNum: number | null;
  bytesInFlight: number | null;
  ackRtt: number | null;
  ackedFrame: number | null;
  ackRttAmbiguous: boolean;
}

/**
 * One segment through Wireshark's sequence analysis (tcp_analyze_sequence_number in
 * epan/dissectors/packet-tcp.c, its default preferences: fast retransmission before
 * out-of-order, bytes in flight from the payloads), so each badge, ack_rtt and bytes in flight
 * here is what tshark prints for the frame. `fwd` is the sender's direction, `rev` the peer's;
 * `revShift` the peer's window scale (null when the handshake was not captured).
 */
const scratchBadges: Badge[] = [];
const judged: Judged = { badges: [], dupAckNum: null, bytesInFlight: null, ackRtt: null, ackedFrame: null, ackRttAmbiguous: false };

function judge(p: TcpPacket, t: number, fwd: FlowState, rev: FlowState, revShift: number | null, options: TcpOptions | null): Judged {
  const { seq, ack, win: window, flags } = p;
  const seglen = p.len;
  const synFinRst = (flags & (SYN | FIN | RST)) !== 0;
  const badges = scratchBadges;
  badges.length = 0;
  let dupAckNum: number | null = null;
  if (flags & ACK) rev.validBif = true;

  let zeroWindowProbe = false;
  let keepAlive = false;
  // A zero-window probe: one byte at the next seq while the peer's window is closed.
  if (seglen === 1 && seq === fwd.nextseq && rev.window === 0) {
    zeroWindowProbe = true;
    badges.push('zero-window-probe');
  } else {
    if (window === 0 && !synFinRst) badges.push('zero-window');
    // Beyond the highest seq seen: the capture missed what came between.
    if (fwd.nextseq !== 0 && GT(seq, fwd.nextseq) && !(flags & RST)) {
      badges.push('previous-segment-not-captured');
      fwd.validBif = false;
    }
    // 0 or 1 byte, one byte before the next seq: a keep-alive (RFC 9293 §3.8.4).
    if (seglen <= 1 && seq === (fwd.nextseq - 1) >>> 0 && !(flags & (SYN | FIN | RST))) {
      keepAlive = true;
      badges.push('keep-alive');
      if (rev.window === 0) badges.push('window-probe');
    }
    const sameAck = seglen === 0 && seq === fwd.nextseq && ack === fwd.lastack && !synFinRst;
    // Nothing new but the window: the receiver has read and says the sender may send more.
    if (sameAck && window !== 0 && window !== fwd.window) badges.push('window-update');
    // The data reaches the right edge of the window the peer last offered.
    if (seglen > 0 && revShift !== null && !synFinRst) {
      const edge = (rev.lastack + rev.window * 2 ** (rev.lastWasSyn ? 0 : revShift)) >>> 0;
      if ((seq + seglen) >>> 0 === edge) badges.push('window-full');
    }
    if (sameAck && window !== 0 && window === fwd.window && rev.lastKeepAlive) badges.push('keep-alive-ack');
    else if (sameAck && window === 0 && window === fwd.window && rev.lastZeroWindowProbe) badges.push('zero-window-probe-ack');
    else if (sameAck && window !== 0 && window === fwd.window) {
      // A duplicate ACK (RFC 5681 §2): same ack, same window, no data. -1 means an unseen
      // segment was just acknowledged; that ACK starts the count again.
      fwd.dupacknum = fwd.dupacknum === -1 ? 1 : fwd.dupacknum + 1;
      dupAckNum = fwd.dupacknum;
      badges.push('dup-ack');
    }
  }
  if (ack !== fwd.lastack) fwd.dupacknum = 0;

  // Acknowledges beyond anything the other direction was seen to send.
  if (rev.maxseqtobeacked !== 0 && GT(ack, rev.maxseqtobeacked) && flags & ACK) {
    // (Wireshark compares these two as plain numbers, not mod 2^32.)
    if (rev.maxseqtobeacked > rev.nextseq) {
      rev.maxseqtobeacked = rev.nextseq;
      badges.push('acked-unseen-segment');
    } else {
      if (rev.dupacknum === 0) badges.push('acked-unseen-segment');
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
      badges.push('spurious-retransmission');
      resent = true;
    } else if (notAdvanced && rev.dupacknum >= 2 && rev.lastack === seq && t - rev.lastackTime < 0.02) {
      // Two or more duplicate ACKs asked for exactly this seq within 20 ms (RFC 5681 §3.2).
      badges.push('fast-retransmission');
      resent = true;
    } else if (notAdvanced && t - fwd.nextseqTime < ooo && fwd.nextseq !== end) {
      // Came soon after the highest segment (within the handshake's RTT): reordered, not resent.
      badges.push('out-of-order');
    } else if (notAdvanced) {
      badges.push('retransmission');
      resent = true;
    }
  }

  let nextseq = (seq + seglen) >>> 0;
  if ((seglen > 0 || flags & (SYN | FIN)) && fwd.unacked.length < MAX_UNACKED) {
    if (flags & (SYN | FIN)) nextseq = (nextseq + 1) >>> 0;
    if (resent) for (const u of fwd.unacked) if (LT(u.seq, nextseq) && GT(u.nextseq, seq)) u.resent = true;
    fwd.unacked.push({ frame: p.frame, seq, nextseq, t, resent });
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
  let ackRtt: number | null = null;
  let ackedFrame: number | null = null;
  let ackRttAmbiguous = false;
  let matches = 0;
  const list = rev.unacked;
  let w = 0;
  for (let r = 0; r < list.length; r++) {
    const u = list[r]!;
    if (ack === u.nextseq) {
      if (matches++ === 0) {
        ackRtt = t - u.t;
        ackedFrame = u.frame;
      }
      if (u.resent) ackRttAmbiguous = true;
      continue;
    }
    if (GT(ack, u.seq) && LE(ack, u.nextseq)) u.seq = ack;
    if (GT(u.nextseq, ack)) list[w++] = u;
  }
  list.length = w;
  if (matches > 1) ackRttAmbiguous = true;
  if (ackRtt === 0) ackRtt = null;

  // Bytes in flight after this segment: from the lowest unacknowledged seq to the highest
  // sent, less what the peer's latest SACK blocks say arrived.
  let bytesInFlight: number | null = null;
  if (seglen !== 0 && fwd.unacked.length > 0 && fwd.validBif) {
    let lo = fwd.unacked[0]!.seq;
    let hi = fwd.unacked[0]!.nextseq;
    for (const u of fwd.unacked) {
      if (GT(u.nextseq, hi)) hi = u.nextseq;
      if (LT(u.seq, lo)) lo = u.seq;
    }
    let inFlight = (hi - lo) >>> 0;
    for (const [l, r] of rev.sack) inFlight = (inFlight - ((r - l) >>> 0)) >>> 0;
    if (inFlight > 0 && inFlight < 2e9) bytesInFlight = inFlight - (flags & (SYN | FIN) ? 1 : 0);
  }
  fwd.sack = options?.sack ? options.sack.slice(0, 3) : NO_SACK;
  // Most segments have no badge: share one empty list rather than keep a million.
  // One result object reused for every segment (read at once by the caller): a million-packet
  // stream then allocates a million fewer objects.
  judged.badges = badges.length ? badges.slice() : NO_BADGES;
  judged.dupAckNum = dupAckNum;
  judged.bytesInFlight = bytesInFlight;
  judged.ackRtt = ackRtt;
  judged.ackedFrame = ackedFrame;
  judged.ackRttAmbiguous = ackRttAmbiguous;
  return judged;
}

/** Builds the diagram of one stream: relative numbers, scaled windows, badges, phases and both state lanes. */
export function analyzeStream(stream: TcpStream): StreamAnalysis {
  const packets = stream.packets;
  const first = packets[0]!;
  const startSec = first.tsSec;
  const startNs = first.tsNs;
  const timeOf = (p: TcpPacket) => p.tsSec - startSec + (p.tsNs - startNs) / 1e9;

  // The client's address and port once, not a string built per packet (a million-packet stream).
  const clientEnd = splitEndpoint(stream.client);
  const fromOf = (p: TcpPacket): Side =>
    clientEnd
      ? p.srcPort === clientEnd.port && p.src === clientEnd.host
        ? 'client'
        : 'server'
      : endpointText(p.src, p.srcPort) === stream.client
        ? 'client'
        : 'server';
  const dirs: Record<Side, DirState> = { client: { isn: null, wscale: null }, server: { isn: null, wscale: null } };
  const synOptions: StreamAnalysis['synOptions'] = { client: null, server: null };

  // The ISN of each side is its SYN's seq. Without a SYN, Wireshark takes the first seq seen
  // minus one (as if a SYN had come just before), so data still starts at relative 1.
  for (const p of packets) {
    const d = dirs[fromOf(p)];
    if (p.flags & SYN && d.isn === null) {
      d.isn = p.seq;
      const o = tcpOptions(p);
      synOptions[fromOf(p)] = o;
      d.wscale = o.wscale ?? null;
    }
  }
  for (const p of packets) {
    const d = dirs[fromOf(p)];
    if (d.isn === null) d.isn = (p.seq - 1) >>> 0;
  }
  // Window scaling is in force only when both SYNs carried the option (RFC 7323 §2.2).
  const scaling = dirs.client.wscale !== null && dirs.server.wscale !== null;
  const sawBothSyns = synOptions.client !== null && synOptions.server !== null;

  const hasSyn = packets.some((p) => p.flags & SYN);
  // A server that answers the SYN with a RST and never a SYN-ACK had no listener: it was CLOSED.
  const serverListened =
    !hasSyn || packets.some((p) => (p.flags & (SYN | ACK)) === (SYN | ACK)) || !packets.some((p) => p.flags & RST && fromOf(p) === 'server');
  const serverStart: TcpState = !hasSyn ? 'ESTABLISHED' : serverListened ? 'LISTEN' : 'CLOSED';
  const ends: Record<Side, TcpEndpoint> = {
    client: new TcpEndpoint(hasSyn ? 'CLOSED' : 'ESTABLISHED'),
    server: new TcpEndpoint(serverStart),
  };
  const states: StreamAnalysis['states'] = {
    client: hasSyn ? [] : [{ t: 0, state: 'ESTABLISHED' }],
    server: [{ t: 0, state: serverStart }],
  };

  const segments: Segment[] = [];
  let synT: number | null = null;
  let synAckT: number | null = null;
  let synAmbiguous = false;
  let tearing = false;
  let prevT = 0;
  let mruSynT: number | null = null;
  let firstRtt: number | null = null;
  const flows: Record<Side, FlowState> = { client: newFlow(), server: newFlow() };
  // The shift that applies to each side's window field: 0 without scaling, and unknown (null)
  // without both SYNs, when Wireshark does not judge "window full".
  const windowShift: Record<Side, number | null> = {
    client: sawBothSyns ? (scaling ? dirs.client.wscale! : 0) : null,
    server: sawBothSyns ? (scaling ? dirs.server.wscale! : 0) : null,
  };
  for (const p of packets) {
    const from = fromOf(p);
    const to: Side = from === 'client' ? 'server' : 'client';
    const d = dirs[from];
    const peer = dirs[to];
    const t = timeOf(p);
    const hasAck = (p.flags & ACK) !== 0;
    const isSyn = (p.flags & SYN) !== 0;
    const isFin = (p.flags & FIN) !== 0;
    const isRst = (p.flags & RST) !== 0;

    if (isSyn && !hasAck && synT === null) synT = t;
    // Karn's rule (RFC 6298 §3): once the SYN was sent again, the SYN-ACK may answer either
    // copy, so the handshake gives no RTT sample.
    else if (isSyn && !hasAck && synAckT === null) synAmbiguous = true;
    if (isSyn && hasAck && synAckT === null && synT !== null) synAckT = t;
    // Wireshark's iRTT: the latest SYN to the first ACK without SYN after it.
    if (isSyn && !hasAck) mruSynT = t;
    else if (hasAck && !isSyn && mruSynT !== null && firstRtt === null) firstRtt = t - mruSynT;
    flows[from].firstRtt = flows[to].firstRtt = firstRtt;

    const options = p.tcpHeaderLen > 20 ? tcpOptions(p) : null;
    const j = judge(p, t, flows[from], flows[to], windowShift[to], options);
    const badges = isRst ? (['rst', ...j.badges] as Badge[]) : j.badges;

    const handshakeDone =
      ends.client.state !== 'CLOSED' && ends.client.state !== 'SYN_SENT' && ends.server.state !== 'LISTEN' && ends.server.state !== 'SYN_RCVD';
    if (isFin || isRst) tearing = true;
    const phase: Phase = tearing ? 'teardown' : handshakeDone ? 'data' : 'handshake';

    for (const st of ends[from].step(p, true)) states[from].push({ t, state: st });
    for (const st of ends[to].step(p, false)) states[to].push({ t, state: st });

    segments.push({
      frame: p.frame,
      t,
      dt: t - prevT,
      from,
      flags: flagNames(p.flags),
      seq: p.seq,
      ack: hasAck ? p.ack : null,
      relSeq: (p.seq - d.isn!) >>> 0,
      relAck: hasAck && peer.isn !== null ? (p.ack - peer.isn) >>> 0 : null,
      len: p.len,
      win: p.win,
      winScaled: isSyn ? p.win : sawBothSyns ? (scaling ? p.win * 2 ** d.wscale! : p.win) : null,
      badges,
      dupAckNum: j.dupAckNum,
      sack: options?.sack ? options.sack.map(([l, r]) => [(l - peer.isn!) >>> 0, (r - peer.isn!) >>> 0]) : null,
      bytesInFlight: j.bytesInFlight,
      ackRttMs: j.ackRtt === null ? null : j.ackRtt * 1000,
      ackedFrame: j.ackedFrame,
      ackRttAmbiguous: j.ackRttAmbiguous,
      phase,
      options,
    });
    prevT = t;
  }
  return {
    client: stream.client,
    server: stream.server,
    guessed: stream.guessed,
    handshakeRttMs: synT !== null && synAckT !== null && !synAmbiguous ? (synAckT - synT) * 1000 : null,
    segments,
    states,
    synOptions,
    initialRttMs: firstRtt === null ? null : firstRtt * 1000,
    startSec,
    startNs,
  };
}
