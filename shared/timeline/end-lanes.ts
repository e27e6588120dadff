import type { ServerLane } from '../contract/timeline.ts';
import type { PacketTable } from './packet-table.ts';
import { serverStartState, type StateChange } from './tcp-analysis.ts';
import { ACK, RST, SYN, type TcpPacket } from './tcp-packet.ts';
import { groupStreams, splitEndpoint } from './tcp-streams.ts';
import { TcpEndpoint, type TcpState } from './tcp-state-machine.ts';

/**
 * One end's state lane from that end's own capture. A capture made at one end (a file, a live
 * capture) can only infer the far end's states from what the near end sent and received, as if
 * every segment arrived at once; the emulated link captures at both ends (link-script.ts), so each
 * end's TcpEndpoint can be fed what that end actually saw: what it sent, and what arrived there,
 * at the time it arrived. That is what the course's handshake note teaches — the server moves
 * SYN_RCVD → ESTABLISHED when the client's ACK *arrives* (RFC 9293 §3.5, figure 6), so when the
 * link drops that ACK the server stays in SYN_RCVD until a later ACK or data gets through.
 *
 * `self` is the end's "address:port" (the stream's client or server text), `peer` the other's;
 * only rows of that 4-tuple are read, in capture order (one tcpdump's order is the order the end
 * saw them). `t` is seconds since (startSec, startNs) — the stream's first segment in the other
 * capture: both namespaces read one kernel clock, so the two lanes share the diagram's time axis.
 * Columnar: no per-packet objects, only the few state changes.
 */
export function endLane(table: PacketTable, self: string, peer: string, initial: TcpState, startSec: number, startNs: number): StateChange[] {
  const me = splitEndpoint(self);
  const other = splitEndpoint(peer);
  const lane: StateChange[] = [{ t: 0, state: initial }];
  if (!me || !other) return lane;
  const meId = table.idOf(me.host);
  const otherId = table.idOf(other.host);
  if (meId < 0 || otherId < 0) return lane;
  const end = new TcpEndpoint(initial);
  const view = { flags: 0, seq: 0, ack: 0, len: 0 };
  for (let i = 0; i < table.length; i++) {
    const s = table.src[i]!;
    const d = table.dst[i]!;
    const sp = table.srcPort[i]!;
    const dp = table.dstPort[i]!;
    let sent: boolean;
    if (s === meId && sp === me.port && d === otherId && dp === other.port) sent = true;
    else if (s === otherId && sp === other.port && d === meId && dp === me.port) sent = false;
    else continue;
    view.flags = table.flags[i]!;
    view.seq = table.seq[i]!;
    view.ack = table.ack[i]!;
    view.len = table.len[i]!;
    const changes = end.step(view, sent);
    if (changes.length === 0) continue;
    const t = table.tsSec[i]! - startSec + (table.tsNs[i]! - startNs) / 1e9;
    for (const state of changes) lane.push({ t, state });
  }
  return lane;
}

/**
 * A stream analysed from the client's capture, with its server lane taken from the server's own
 * capture (`serverTable`) instead of inferred. The lane starts in the state the analysis gave the
 * server (LISTEN, or CLOSED when a RST answered the SYN, or ESTABLISHED without a handshake).
 */
export function withServerLane<
  A extends { client: string; server: string; startSec: number; startNs: number; states: { client: StateChange[]; server: StateChange[] } },
>(a: A, serverTable: PacketTable): A {
  const initial = a.states.server[0]?.state ?? 'LISTEN';
  return { ...a, states: { client: a.states.client, server: endLane(serverTable, a.server, a.client, initial, a.startSec, a.startNs) } };
}

/**
 * Each connection of the packets the diagram gets (the client's capture, with the server's lost
 * segments put in) with its server lane from the server's capture: what `timeline.event` carries
 * as `serverLanes`, so the renderer need not hold the server's capture. The lane starts where
 * analyzeRows starts the server (serverStartState), on the same clock (the stream's first packet).
 */
export function serverLanesOf(packets: readonly TcpPacket[], serverTable: PacketTable): ServerLane[] {
  return groupStreams(packets).map((s) => {
    const { client, server } = s;
    const c = splitEndpoint(client);
    let hasSyn = false;
    let hasSynAck = false;
    let serverRst = false;
    for (const p of s.packets) {
      if (p.flags & SYN) hasSyn = true;
      if ((p.flags & (SYN | ACK)) === (SYN | ACK)) hasSynAck = true;
      if (p.flags & RST && !(p.src === c?.host && p.srcPort === c.port)) serverRst = true;
    }
    const first = s.packets[0]!;
    return { client, server, states: endLane(serverTable, server, client, serverStartState(hasSyn, hasSynAck, serverRst), first.tsSec, first.tsNs) };
  });
}
