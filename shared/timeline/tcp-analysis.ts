import { ACK, FIN, RST, SYN, flagList, tcpOptions, type TcpOptions, type TcpPacket } from './tcp-packet.ts';
import { endpointText, type TcpStream } from './tcp-streams.ts';
import { TcpEndpoint, seqGE, type TcpState } from './tcp-state-machine.ts';

export type Side = 'client' | 'server';
export type Badge = 'retransmission' | 'dup-ack' | 'zero-window' | 'window-update' | 'window-probe' | 'rst' | 'keep-alive' | 'keep-alive-ack';
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
  /** Absolute start time of the stream (seconds and ns since 1970) for joining other evidence. */
  startSec: number;
  startNs: number;
}

interface DirState {
  isn: number | null;
  nextSeq: number | null;
  lastAck: number | null;
  lastWin: number | null;
  wscale: number | null;
  /** This side's latest segment was a keep-alive probe (the peer's answer is not a dup ACK). */
  keepAlive: boolean;
}

/** Builds the diagram of one stream: relative numbers, scaled windows, badges, phases and both state lanes. */
export function analyzeStream(stream: TcpStream): StreamAnalysis {
  const packets = stream.packets;
  const first = packets[0]!;
  const startSec = first.tsSec;
  const startNs = first.tsNs;
  const timeOf = (p: TcpPacket) => p.tsSec - startSec + (p.tsNs - startNs) / 1e9;

  const fromOf = (p: TcpPacket): Side => (endpointText(p.src, p.srcPort) === stream.client ? 'client' : 'server');
  const dirs: Record<Side, DirState> = {
    client: { isn: null, nextSeq: null, lastAck: null, lastWin: null, wscale: null, keepAlive: false },
    server: { isn: null, nextSeq: null, lastAck: null, lastWin: null, wscale: null, keepAlive: false },
  };
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

    // Badges, judged as Wireshark's TCP analysis does in its common cases.
    const badges: Badge[] = [];
    const segLen = p.len + (isSyn ? 1 : 0) + (isFin ? 1 : 0);
    if (isRst) badges.push('rst');
    if (!isRst && d.nextSeq !== null) {
      // One byte back in sequence space: a probe. Wireshark calls every such segment a keep-alive;
      // sent while the peer advertises a zero window it is the zero-window probe of RFC 9293
      // §3.8.6.1 (Linux sends it this way), so it is named that.
      if (p.len <= 1 && !isSyn && !isFin && p.seq === (d.nextSeq - 1) >>> 0 && segments.length > 0)
        badges.push(peer.lastWin === 0 ? 'window-probe' : 'keep-alive');
      else if (segLen > 0 && !seqGE(p.seq, d.nextSeq)) badges.push('retransmission');
    }
    // A duplicate ACK (RFC 5681 §2): no data, same ack and window as the last one, at the next seq.
    // The same ACK sent in answer to a keep-alive probe is the probe's reply, not a sign of loss.
    const pureAck = !isRst && !isSyn && !isFin && p.len === 0 && hasAck && p.win !== 0 && p.seq === d.nextSeq && d.lastAck === p.ack && badges.length === 0;
    if (pureAck && d.lastWin === p.win) badges.push(peer.keepAlive ? 'keep-alive-ack' : 'dup-ack');
    // Nothing new but the window: the receiver has read and tells the sender it may send more.
    else if (pureAck && d.lastWin !== null) badges.push('window-update');
    if (!isRst && p.win === 0 && !isSyn) badges.push('zero-window');

    const end = (p.seq + segLen) >>> 0;
    if (segLen > 0 && (d.nextSeq === null || seqGE(end, d.nextSeq))) d.nextSeq = end;
    if (d.nextSeq === null) d.nextSeq = p.seq;
    if (hasAck) d.lastAck = p.ack;
    d.lastWin = p.win;
    d.keepAlive = badges.includes('keep-alive') || badges.includes('window-probe');

    const handshakeDone =
      ends.client.state !== 'CLOSED' && ends.client.state !== 'SYN_SENT' && ends.server.state !== 'LISTEN' && ends.server.state !== 'SYN_RCVD';
    if (isFin || isRst) tearing = true;
    const phase: Phase = tearing ? 'teardown' : handshakeDone ? 'data' : 'handshake';

    for (const [side, sent] of [
      [from, true],
      [to, false],
    ] as const) {
      for (const s of ends[side].step(p, sent)) states[side].push({ t, state: s });
    }

    const hasOptions = p.tcpHeaderLen > 20;
    segments.push({
      frame: p.frame,
      t,
      dt: t - prevT,
      from,
      flags: flagList(p.flags),
      seq: p.seq,
      ack: hasAck ? p.ack : null,
      relSeq: (p.seq - d.isn!) >>> 0,
      relAck: hasAck && peer.isn !== null ? (p.ack - peer.isn) >>> 0 : null,
      len: p.len,
      win: p.win,
      winScaled: isSyn ? p.win : sawBothSyns ? (scaling ? p.win * 2 ** d.wscale! : p.win) : null,
      badges,
      phase,
      options: hasOptions ? tcpOptions(p) : null,
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
    startSec,
    startNs,
  };
}
