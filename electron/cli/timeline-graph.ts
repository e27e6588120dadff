import { busiestSide, graphKinds, graphSeries, seriesCsv, seriesRow, type GraphKind } from '../../shared/timeline/graphs.ts';
import type { PacketTable } from '../../shared/timeline/packet-table.ts';
import { analyzeRows, type Side } from '../../shared/timeline/tcp-analysis.ts';
import { groupTable } from '../../shared/timeline/tcp-streams.ts';
import { UsageError, type CliIo } from './cli-io.ts';

export const graphHelp = `--graph stevens|tcptrace|throughput|rtt|window [--stream N] [--direction client|server]
prints one TCP stream graph (Wireshark's Statistics → TCP Stream Graphs) as a series instead:
{"stream", "direction", "unit", "columns", "points": [[tSeconds, value, ...]]} (throughput adds
"windowSec", its moving average's window; RTT is in ms, Karn's rule applied). Without --json, CSV.
N is the connection's index (tshark's tcp.stream; default: the one that carried the most bytes);
the direction is the side whose data is drawn (default: the one that sent the most payload).`;

export interface GraphFlags {
  graph?: string;
  stream?: string;
  direction?: string;
}

/** Checks --graph / --stream / --direction; null when no graph was asked for. */
export function graphRequest(flags: GraphFlags): { kind: GraphKind; stream: string | undefined; direction: Side | undefined } | null {
  if (flags.graph === undefined) {
    if (flags.stream !== undefined) throw new UsageError('--stream goes with --graph');
    if (flags.direction !== undefined) throw new UsageError('--direction goes with --graph');
    return null;
  }
  if (!(graphKinds as readonly string[]).includes(flags.graph)) throw new UsageError(`--graph must be one of ${graphKinds.join(', ')}, not "${flags.graph}"`);
  if (flags.direction !== undefined && flags.direction !== 'client' && flags.direction !== 'server')
    throw new UsageError(`--direction must be client or server, not "${flags.direction}"`);
  return { kind: flags.graph as GraphKind, stream: flags.stream, direction: flags.direction as Side | undefined };
}

/** Prints the series of one stream of a capture's packets. */
export function printGraph(table: PacketTable, req: NonNullable<ReturnType<typeof graphRequest>>, json: boolean, io: CliIo): void {
  const streams = groupTable(table);
  if (streams.length === 0) throw new UsageError('--graph: the capture has no TCP connection');
  let index: number;
  if (req.stream === undefined) {
    const bytes = streams.map((s) => s.rows.reduce((n, i) => n + table.len[i]!, 0));
    index = bytes.indexOf(Math.max(...bytes));
  } else if (/^\d+$/.test(req.stream) && Number(req.stream) < streams.length) index = Number(req.stream);
  else throw new UsageError(`--stream must be a connection's index from 0 to ${streams.length - 1} (the capture has ${streams.length}), not "${req.stream}"`);
  const analysis = analyzeRows(table, streams[index]!);
  const direction = req.direction ?? busiestSide(analysis);
  const s = graphSeries(req.kind, analysis, direction);
  if (!json) {
    io.out(seriesCsv(s).trimEnd());
    return;
  }
  const ns = (x: number | null) => (x === null ? null : Math.round(x * 1e9) / 1e9);
  const points = Array.from(s.t, (_, i) => seriesRow(s, i).map(ns));
  io.out(
    JSON.stringify({ stream: index, direction, unit: s.unit, columns: s.columns, ...(s.windowSec === undefined ? {} : { windowSec: s.windowSec }), points }),
  );
}
