import { writeFileSync } from 'node:fs';
import { WirelabError } from '../../shared/contract/errors.ts';
import type { TcpInfoSample } from '../../shared/contract/link.ts';
import { withServerLane } from '../../shared/timeline/end-lanes.ts';
import { captureDroppedNotice, joinLinkCaptures, linkLossOf, segmentArrivals, withFarLost } from '../../shared/timeline/link-join.ts';
import { readPacketTable } from '../../shared/timeline/packet-table.ts';
import { analyzeStreamColumns, withSegments } from '../../shared/timeline/tcp-analysis.ts';
import { readTcpPackets } from '../../shared/timeline/tcp-packet.ts';
import { groupStreams } from '../../shared/timeline/tcp-streams.ts';
import { linkSpecText, parseLinkSpec } from '../../shared/timeline/link-spec.ts';
import { timelineDocument, timelineText } from '../../shared/timeline/timeline-document.ts';
import { runLink } from '../services/timeline/link-lab.ts';
import { LINK_CLIENT } from '../services/timeline/link-script.ts';
import { UsageError, type CliIo } from './cli-io.ts';

/** The document's TCP_INFO series: `t` on the segments' clock (seconds since the stream's first packet). */
export interface TcpInfoPoint {
  t: number;
  cwnd: number;
  ssthresh: number | null;
  rttMs: number;
  retrans: number;
  deliveryRate: number;
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

export function tcpInfoSeries(samples: TcpInfoSample[], startSec: number, startNs: number): TcpInfoPoint[] {
  return samples.map((s) => ({
    t: round(s.tsSec - startSec + (s.tsNs - startNs) / 1e9, 6),
    cwnd: s.cwnd,
    ssthresh: s.ssthresh,
    rttMs: round(s.rttMs, 3),
    retrans: s.retrans,
    deliveryRate: s.deliveryRate,
  }));
}

function save(flag: string, file: string, bytes: Uint8Array): void {
  try {
    writeFileSync(file, bytes);
  } catch (e) {
    throw new UsageError(`${flag}: cannot write "${file}" (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/**
 * `wirelab timeline --link SPEC [--transfer SIZE] [--write FILE] [--write-server FILE] [--json]`: one emulated-link
 * experiment, printed as `wirelab timeline FILE` prints a capture, plus `link` (the settings used), `tcpInfo`,
 * `linkLoss` and each segment's `arrived` / `oneWayMs` (the client's capture joined with the server's).
 * When the link cannot be made here the coded reason goes to stderr (and, with --json, to
 * stdout as {"error": {code, message, params}}), exit 3.
 */
export async function linkCommand(spec: string, transfer: string | undefined, json: boolean, io: CliIo, write?: string, writeServer?: string): Promise<number> {
  let settings;
  try {
    settings = parseLinkSpec(spec, transfer);
  } catch (e) {
    if (e instanceof WirelabError) throw new UsageError(`--link: ${e.message}`);
    throw e;
  }
  let run;
  try {
    run = await runLink(settings, { marker: () => {}, tcpInfo: () => {} });
  } catch (e) {
    if (!(e instanceof WirelabError) || !e.code.startsWith('LINK_')) throw e;
    if (json) io.out(JSON.stringify({ error: e.toData() }));
    io.err(`wirelab timeline: ${e.code}: ${e.message}`);
    return 3;
  }
  // The captures as tcpdump wrote them, for Wireshark (or `wirelab timeline FILE`): the client's end, and the server's.
  if (write !== undefined) save('--write', write, run.pcap);
  if (writeServer !== undefined) save('--write-server', writeServer, run.serverPcap);
  const near = readPacketTable(run.pcap).table;
  const far = readPacketTable(run.serverPcap).table;
  const join = joinLinkCaptures(near, far, LINK_CLIENT);
  // A tcpdump that dropped packets: no segment is called lost (arrived null where the server has no copy), linkLoss null, and stderr says why.
  const dropped = captureDroppedNotice(run.captureDropped);
  // The client's segments, and the server's that the link lost (only B has them: arrived false);
  // each connection's server lane from the server's own capture.
  const { packets, arrivals } = withFarLost(
    readTcpPackets(run.pcap).packets,
    readTcpPackets(run.serverPcap).packets,
    near,
    far,
    join,
    LINK_CLIENT,
    dropped === null,
  );
  const streams = groupStreams(packets).map((s) =>
    withServerLane(
      withSegments(
        analyzeStreamColumns(
          s,
          segmentArrivals(
            s.packets.map((p) => p.frame),
            arrivals,
          ).arrived,
        ),
      ),
      far,
    ),
  );
  const loss = dropped ? null : linkLossOf(join);
  if (dropped) io.err(`wirelab timeline: ${dropped.code}: ${dropped.message}`);
  // Samples are on the capture's clock: put them on the stream's time axis (0 = its first packet), as its segments are.
  const start = packets[0] ?? { tsSec: run.tcpInfo[0]?.tsSec ?? 0, tsNs: run.tcpInfo[0]?.tsNs ?? 0 };
  const tcpInfo = tcpInfoSeries(run.tcpInfo, start.tsSec, start.tsNs);
  if (json)
    io.out(
      JSON.stringify({
        ...timelineDocument(streams, arrivals),
        link: { ...settings, spec: linkSpecText(settings) },
        linkLoss: loss,
        tcpInfo,
        ...(dropped ? { notice: { code: dropped.code, message: dropped.message, params: dropped.params } } : {}),
      }),
    );
  else {
    io.out(`emulated link: ${linkSpecText(settings)}, ${settings.transferBytes} bytes`);
    io.out(timelineText(streams, arrivals));
    if (loss)
      io.out(
        `client sent ${loss.sent} segments, lost on the link ${loss.lost} (${loss.lostPercent} %; loss=${settings.lossPercent}%); ` +
          `server sent ${loss.reverseSent}, lost ${loss.reverseLost} (${loss.reverseLostPercent} %; reverse-loss=${settings.reverseLossPercent}%)`,
      );
    const last = run.tcpInfo.at(-1);
    const maxCwnd = Math.max(0, ...run.tcpInfo.map((s) => s.cwnd));
    const maxRtt = Math.max(0, ...run.tcpInfo.map((s) => s.rttMs));
    io.out(
      last
        ? `TCP_INFO: ${run.tcpInfo.length} samples; cwnd up to ${maxCwnd} segments, RTT up to ${maxRtt.toFixed(1)} ms, ${last.retrans} retransmitted${packets.length ? '' : ' (no packets captured)'}`
        : 'TCP_INFO: no samples (koffi could not be loaded)',
    );
  }
  return 0;
}
