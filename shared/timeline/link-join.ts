import type { LinkLoss } from '../contract/link.ts';
import type { PacketTable } from './packet-table.ts';
import type { TcpPacket } from './tcp-packet.ts';

/**
 * The emulated link captured at both ends (electron/services/timeline/link-script.ts: tcpdump in
 * the client's namespace A and in the server's B), joined segment by segment: a segment the near
 * end sent and the far end never saw was dropped on the link (by the router's loss rule, or its
 * queue), which one capture alone cannot tell from one that arrived.
 *
 * The key is the 4-tuple (which also gives the direction), seq, ack, payload length, flags, the
 * IPv4 identification and the TSval. Why that is unique enough: the router forwards a packet
 * without changing any of them (it lowers the TTL and fixes the checksum); Linux numbers a
 * connected socket's packets with a per-socket IP ID counter (`ip_select_ident_segs`, one step per
 * segment), so two copies of one seq — an original and its retransmission, or two duplicate ACKs
 * — differ in the IP ID until 65,536 more segments have gone the same way; and the TSval (RFC 7323
 * §5.4, a clock of at least 1 tick per ms on Linux) tells copies apart across such a wrap. Where
 * both fields are absent (IPv6 without timestamps) equal keys are matched in order, first copy
 * with first copy: a link that neither duplicates nor reorders keeps that order. A tcpdump that
 * dropped frames would make segments look lost: the 16 MiB ring keeps it from that (link-script.ts),
 * and each tcpdump's own count of what it dropped ("N packets dropped by kernel", read by
 * link-lab.ts) is checked after the run — above 0 at either end, nothing is called lost
 * (frameArrivals' `lossKnown`, captureDroppedNotice).
 *
 * Columns, not objects: one value per row of the near end's table.
 */
export interface LinkJoin {
  /** The row of the same segment in the far end's table; -1 where the far end has no copy. */
  peer: Int32Array;
  /** 1: it reached the other end (what the near end received always did); 0: lost on the link. */
  arrived: Uint8Array;
  /** Sending to arriving, ms (far − near for what the near end sent, near − far for what it received); NaN without both copies. */
  oneWayMs: Float64Array;
  /** Near → far: segments the near end sent, and how many of them the far end never saw. */
  sent: number;
  lost: number;
  /** Far → near: segments the far end sent, and how many of them the near end never saw. */
  reverseSent: number;
  reverseLost: number;
  /** Per row of the far end's table: 1 where a near row matched it. A far row the far end sent with 0 here never reached the near end. */
  farMatched: Uint8Array;
}

/**
 * Key fields hashed to 32 bits (the addresses are compared, not hashed: the two tables number them
 * differently). Different keys can share a hash: the join compares every field after it.
 */
export function keyFieldsHash(seq: number, ack: number, srcPort: number, dstPort: number, len: number, flags: number, ipId: number): number {
  let h = Math.imul(seq ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ ack, 0xc2b2ae35);
  h = Math.imul(h ^ ((srcPort << 16) | dstPort), 0x85ebca6b);
  h = Math.imul(h ^ len, 0xc2b2ae35);
  h = Math.imul(h ^ ((flags << 16) | (ipId & 0xffff)), 0x85ebca6b);
  return (h ^ (h >>> 15)) | 0;
}

const keyHash = (t: PacketTable, r: number): number => keyFieldsHash(t.seq[r]!, t.ack[r]!, t.srcPort[r]!, t.dstPort[r]!, t.len[r]!, t.flags[r]!, t.ipId[r]!);

/**
 * Joins the near end's capture with the far end's. `nearHost` is the near end's address (the
 * client's, 10.77.1.1 in the lab): what it sent is judged arrived or lost, what it received
 * arrived by definition (and gets its one-way delay from the far end's copy).
 */
export function joinLinkCaptures(near: PacketTable, far: PacketTable, nearHost: string): LinkJoin {
  const n = near.length;
  const m = far.length;
  const nearHostId = near.idOf(nearHost);
  // The far table's address ids in the near table's numbering (-1: an address the near end never saw).
  const farAddr = Int32Array.from(far.addrs, (a) => near.idOf(a));
  const farTsval = new Float64Array(m);
  for (let r = 0; r < m; r++) farTsval[r] = far.tsval(r);
  // Far rows by key hash, each chain in capture order: `head[slot]` is a chain's first unmatched
  // row (-1 once all are matched). Open addressing over typed arrays, not a Map: a million-row
  // Map costs more than the rest of the join (measured 0.4–0.6 s against 0.1 s).
  const size = 1 << Math.max(4, Math.ceil(Math.log2(2 * m + 1)));
  const mask = size - 1;
  const slotHash = new Int32Array(size);
  const taken = new Uint8Array(size);
  const head = new Int32Array(size).fill(-1);
  const slotOf = (h: number): number => {
    let at = h & mask;
    while (taken[at] && slotHash[at] !== h) at = (at + 1) & mask;
    return at;
  };
  const next = new Int32Array(m).fill(-1);
  for (let r = m - 1; r >= 0; r--) {
    const h = keyHash(far, r);
    const at = slotOf(h);
    taken[at] = 1;
    slotHash[at] = h;
    next[r] = head[at]!;
    head[at] = r;
  }
  const used = new Uint8Array(m);
  const out: LinkJoin = {
    peer: new Int32Array(n).fill(-1),
    arrived: new Uint8Array(n),
    oneWayMs: new Float64Array(n).fill(NaN),
    sent: 0,
    lost: 0,
    reverseSent: 0,
    reverseLost: 0,
    farMatched: new Uint8Array(0),
  };
  for (let i = 0; i < n; i++) {
    const at = slotOf(keyHash(near, i));
    const tsval = near.tsval(i);
    let prev = -1;
    let r = taken[at] ? head[at]! : -1;
    while (r >= 0) {
      if (
        farAddr[far.src[r]!] === near.src[i] &&
        farAddr[far.dst[r]!] === near.dst[i] &&
        far.srcPort[r] === near.srcPort[i] &&
        far.dstPort[r] === near.dstPort[i] &&
        far.seq[r] === near.seq[i] &&
        far.ack[r] === near.ack[i] &&
        far.len[r] === near.len[i] &&
        far.flags[r] === near.flags[i] &&
        far.ipId[r] === near.ipId[i] &&
        farTsval[r] === tsval
      )
        break;
      prev = r;
      r = next[r]!;
    }
    const sentHere = near.src[i] === nearHostId;
    if (r >= 0) {
      // Matched: take it out of its chain, so a second copy with the same key finds the next one.
      if (prev < 0) head[at] = next[r]!;
      else next[prev] = next[r]!;
      used[r] = 1;
      out.peer[i] = r;
      const ms = (far.tsSec[r]! - near.tsSec[i]!) * 1000 + (far.tsNs[r]! - near.tsNs[i]!) / 1e6;
      out.oneWayMs[i] = sentHere ? ms : -ms;
    }
    out.arrived[i] = !sentHere || r >= 0 ? 1 : 0;
    if (sentHere) {
      out.sent++;
      if (r < 0) out.lost++;
    }
  }
  const nearHostInFar = far.idOf(nearHost);
  for (let r = 0; r < m; r++) {
    if (far.src[r] === nearHostInFar) continue;
    out.reverseSent++;
    if (!used[r]) out.reverseLost++;
  }
  out.farMatched = used;
  return out;
}

/**
 * The near end's packets with the far end's lost ones put in: segments the far end sent that the
 * link dropped are in no near capture, so a diagram of the near capture alone cannot draw them. They
 * go in by capture time (both namespaces read one kernel clock), numbered after the near capture's
 * last frame (they have no frame there), with arrived false; the near packets keep their order,
 * frames and arrivals. Without `lossKnown` (a tcpdump dropped packets) none go in: a segment missing
 * at the near end may have arrived uncaptured. `nearPackets`/`farPackets` are the tables' rows as
 * objects (readTcpPackets of the same files: the same TCP frames in the same order).
 */
export function withFarLost(
  nearPackets: readonly TcpPacket[],
  farPackets: readonly TcpPacket[],
  near: PacketTable,
  far: PacketTable,
  join: LinkJoin,
  nearHost: string,
  lossKnown = true,
): { packets: TcpPacket[]; arrivals: { frame: number[]; arrived: (boolean | null)[]; oneWayMs: (number | null)[] } } {
  const own = frameArrivals(near, join, 0, near.length, lossKnown);
  if (!lossKnown) return { packets: nearPackets.slice(), arrivals: own };
  const nearHostInFar = far.idOf(nearHost);
  let nextFrame = 0;
  for (let i = 0; i < near.length; i++) nextFrame = Math.max(nextFrame, near.frame[i]!);
  const packets: TcpPacket[] = [];
  const arrivals = { frame: [] as number[], arrived: [] as (boolean | null)[], oneWayMs: [] as (number | null)[] };
  const at = (t: PacketTable, r: number) => t.tsSec[r]! + t.tsNs[r]! / 1e9;
  let i = 0;
  for (let r = 0; r <= far.length; r++) {
    const lostHere = r < far.length && far.src[r] !== nearHostInFar && !join.farMatched[r];
    if (r < far.length && !lostHere) continue;
    // Every near packet captured no later than this lost one goes first (all that remain after the last).
    const until = r < far.length ? at(far, r) : Infinity;
    for (; i < near.length && at(near, i) <= until; i++) {
      packets.push(nearPackets[i]!);
      arrivals.frame.push(own.frame[i]!);
      arrivals.arrived.push(own.arrived[i]!);
      arrivals.oneWayMs.push(own.oneWayMs[i]!);
    }
    if (r === far.length) break;
    nextFrame++;
    packets.push({ ...farPackets[r]!, frame: nextFrame });
    arrivals.frame.push(nextFrame);
    arrivals.arrived.push(false);
    arrivals.oneWayMs.push(null);
  }
  return { packets, arrivals };
}

/** Where segments arrived, keyed by the near capture's frame numbers (ascending): what `timeline.event` carries and the diagram reads. */
export interface FrameArrivals {
  frame: ArrayLike<number>;
  /** null: unknown (the capture itself dropped packets, so "not at the far end" proves nothing). */
  arrived: ArrayLike<boolean | null>;
  oneWayMs: ArrayLike<number | null>;
}

/**
 * A join as frame-keyed columns for the contract (JSON has no NaN: null). Without `lossKnown` (a
 * tcpdump dropped packets) a segment with no far copy is unknown, not lost: arrived null.
 */
export function frameArrivals(
  near: PacketTable,
  join: LinkJoin,
  from = 0,
  to = near.length,
  lossKnown = true,
): { frame: number[]; arrived: (boolean | null)[]; oneWayMs: (number | null)[] } {
  const frame: number[] = [];
  const arrived: (boolean | null)[] = [];
  const oneWayMs: (number | null)[] = [];
  for (let i = from; i < to; i++) {
    frame.push(near.frame[i]!);
    arrived.push(join.arrived[i] === 1 ? true : lossKnown ? false : null);
    const ms = join.oneWayMs[i]!;
    oneWayMs.push(Number.isNaN(ms) ? null : Math.round(ms * 1e6) / 1e6);
  }
  return { frame, arrived, oneWayMs };
}

/**
 * The arrivals of a stream's segments, as two columns beside its SegmentColumns: `arrived` 1 / 0,
 * or -1 where unknown (the frame has no entry — a capture made at one end only — or its entry is
 * null); `oneWayMs` NaN where unknown.
 */
export function segmentArrivals(segmentFrames: ArrayLike<number>, a: FrameArrivals): { arrived: Int8Array; oneWayMs: Float64Array } {
  const n = segmentFrames.length;
  const arrived = new Int8Array(n).fill(-1);
  const oneWayMs = new Float64Array(n).fill(NaN);
  // The entries by frame: the far end's lost segments (withFarLost) sit among the near ones by
  // time, numbered after them, so the frames need not ascend; sorted indices then, not a Map.
  const m = a.frame.length;
  let ascending = true;
  for (let j = 1; j < m && ascending; j++) ascending = a.frame[j - 1]! < a.frame[j]!;
  const order = Uint32Array.from({ length: m }, (_, j) => j);
  if (!ascending) order.sort((x, y) => a.frame[x]! - a.frame[y]!);
  for (let k = 0; k < n; k++) {
    const f = segmentFrames[k]!;
    let lo = 0;
    let hi = m - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const j = order[mid]!;
      const g = a.frame[j]!;
      if (g === f) {
        const got = a.arrived[j];
        arrived[k] = got === null ? -1 : got ? 1 : 0;
        oneWayMs[k] = a.oneWayMs[j] ?? NaN;
        break;
      }
      if (g < f) lo = mid + 1;
      else hi = mid - 1;
    }
  }
  return { arrived, oneWayMs };
}

/** A join's counts as the contract's LinkLoss (percentages to one decimal). */
export function linkLossOf(j: LinkJoin): LinkLoss {
  const pct = (lost: number, sent: number) => (sent === 0 ? 0 : Math.round((lost / sent) * 1000) / 10);
  return {
    sent: j.sent,
    lost: j.lost,
    lostPercent: pct(j.lost, j.sent),
    reverseSent: j.reverseSent,
    reverseLost: j.reverseLost,
    reverseLostPercent: pct(j.reverseLost, j.reverseSent),
  };
}

/**
 * When a tcpdump dropped packets (LinkRun.captureDropped), the notice that says so: the run's
 * arrivals are then sent without loss claims and no LinkLoss; null when neither dropped any.
 */
export function captureDroppedNotice(d: {
  client: number;
  server: number;
}): { code: 'LINK_CAPTURE_DROPPED'; message: string; params: { dropped: number; client: number; server: number } } | null {
  const dropped = d.client + d.server;
  if (dropped === 0) return null;
  return {
    code: 'LINK_CAPTURE_DROPPED',
    message: `the capture itself dropped ${dropped} packet${dropped === 1 ? '' : 's'} (${d.client} at the client, ${d.server} at the server): what the link lost is not known for this run`,
    params: { dropped, client: d.client, server: d.server },
  };
}
