import { WirelabError } from '../../../shared/contract/errors.ts';
import type { LinkSettings, LinkStatus, TcpInfoSample } from '../../../shared/contract/link.ts';
import type { CaptureStatus, TimelineEvent } from '../../../shared/contract/timeline.ts';
import { serverLanesOf } from '../../../shared/timeline/end-lanes.ts';
import { captureDroppedNotice, joinLinkCaptures, linkLossOf, withFarLost } from '../../../shared/timeline/link-join.ts';
import { readPacketTable } from '../../../shared/timeline/packet-table.ts';
import { packetToWire } from '../../../shared/timeline/packet-wire.ts';
import { readTcpPackets } from '../../../shared/timeline/tcp-packet.ts';
import { runLink } from './link-lab.ts';
import { LINK_CLIENT } from './link-script.ts';

type Emit = (part: Partial<Omit<TimelineEvent, 'timelineId'>>) => void;

/** Packets per event when the capture is sent at the end: big enough to be quick, small enough for one WebSocket frame. */
const PACKETS_PER_EVENT = 2000;

/**
 * One emulated-link experiment as a live timeline: socket markers and TCP_INFO samples go out
 * as they happen (samples ten at a time), the packets when the capture has been read (the
 * capture is a file inside the namespace: the link's speed is the kernel's, not the parser's).
 */
export async function linkTimeline(settings: LinkSettings, status: LinkStatus, emit: Emit, signal?: AbortSignal): Promise<void> {
  const capture: CaptureStatus = { available: true, code: null, tool: 'tcpdump', reason: null, howTo: null };
  emit({ status: { phase: 'starting', message: null, capture: null } });
  let held: TcpInfoSample[] = [];
  const flush = () => {
    if (held.length) emit({ tcpInfo: held });
    held = [];
  };
  try {
    emit({ status: { phase: 'capturing', message: null, capture } });
    const run = await runLink(
      settings,
      {
        marker: (m) => emit({ markers: [m] }),
        tcpInfo: (s) => {
          held.push(s);
          if (held.length >= 10) flush();
        },
        tcpInfoUnavailable: (reason) =>
          emit({ status: { phase: 'capturing', message: `no TCP_INFO: ${reason}`, code: 'LINK_TCP_INFO_UNAVAILABLE', params: { reason }, capture } }),
      },
      status,
      signal,
    );
    flush();
    // The client's capture joined with the server's: each event's packets carry where they arrived
    // (the tables' rows are the same TCP frames, in the same order, as the packets read from the files).
    const near = readPacketTable(run.pcap).table;
    const far = readPacketTable(run.serverPcap).table;
    const join = joinLinkCaptures(near, far, LINK_CLIENT);
    // A tcpdump that dropped packets leaves gaps the join would read as loss: then nothing is called lost, and the status says why.
    const dropped = captureDroppedNotice(run.captureDropped);
    // The server's segments the link lost go in among the client's (arrived false), so the diagram draws them.
    const merged = withFarLost(readTcpPackets(run.pcap).packets, readTcpPackets(run.serverPcap).packets, near, far, join, LINK_CLIENT, dropped === null);
    const packets = merged.packets.map((p) => packetToWire(p));
    const a = merged.arrivals;
    for (let i = 0; i < packets.length; i += PACKETS_PER_EVENT) {
      const end = Math.min(packets.length, i + PACKETS_PER_EVENT);
      emit({
        packets: packets.slice(i, end),
        arrivals: { frame: a.frame.slice(i, end), arrived: a.arrived.slice(i, end), oneWayMs: a.oneWayMs.slice(i, end) },
      });
    }
    const serverLanes = serverLanesOf(merged.packets, far);
    if (dropped) emit({ serverLanes, status: { phase: 'done', message: dropped.message, code: dropped.code, params: dropped.params, capture } });
    else emit({ serverLanes, linkLoss: linkLossOf(join), status: { phase: 'done', message: null, capture } });
  } catch (e) {
    flush();
    const err = e instanceof WirelabError ? e : new WirelabError('EXPERIMENT_FAILED', String(e), undefined, { reason: String(e) });
    emit({ status: { phase: 'error', message: err.message, code: err.code, params: err.params ?? {}, capture: null } });
  }
}
