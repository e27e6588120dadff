import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { graphKinds, graphSeries, seriesRows } from './graphs.ts';
import { PacketTable, readPacketTable } from './packet-table.ts';
import { CaptureReader } from './pcap-reader.ts';
import { analyzeRows, analyzeStream, analyzeStreamColumns, segmentsOf } from './tcp-analysis.ts';
import { readTcpPackets } from './tcp-packet.ts';
import { groupStreams, groupTable } from './tcp-streams.ts';

const root = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));
const captures: string[] = [];
const walk = (dir: string) => {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) walk(p);
    else if (/\.pcap(ng)?$/.test(f)) captures.push(p);
  }
};
walk(root);

/**
 * The graphs and the CLI's --graph read captures as columns (packet-table.ts); the diagram reads
 * packet objects. Both must say the same of every capture we have: same connections, same
 * segments (badges, RTTs, SACK blocks, options), same graph series.
 */
describe('the columnar reader and the object reader agree', () => {
  it('has captures of every kind to compare (pcap, pcapng, IPv6, lossy links, SACK)', () => {
    expect(captures.length).toBeGreaterThan(20);
    expect(captures.some((f) => f.endsWith('.pcapng'))).toBe(true);
  });

  it.each(captures.map((f) => [f.slice(root.length), f]))('%s: same streams, segments and graph series', (_name, file) => {
    const bytes = new Uint8Array(readFileSync(file));
    const objects = readTcpPackets(bytes);
    const columns = readPacketTable(bytes);
    expect(columns.frames).toBe(objects.frames);
    expect(columns.problem).toEqual(objects.problem);
    expect(columns.table.length).toBe(objects.packets.length);
    // What was reserved by the file's size and not filled is given back (compact).
    expect(columns.table.frame.length).toBeLessThanOrEqual(Math.max(16, columns.table.length) * 1.25);

    const streams = groupStreams(objects.packets);
    const rows = groupTable(columns.table);
    expect(rows.map(({ rows: r, ...s }) => ({ ...s, packets: r.length }))).toEqual(streams.map(({ packets, ...s }) => ({ ...s, packets: packets.length })));
    streams.forEach((stream, i) => {
      const fromTable = analyzeRows(columns.table, rows[i]!);
      expect(segmentsOf(fromTable)).toEqual(analyzeStream(stream).segments);
      const fromObjects = analyzeStreamColumns(stream);
      for (const dir of ['client', 'server'] as const)
        for (const kind of graphKinds) expect(seriesRows(graphSeries(kind, fromTable, dir))).toEqual(seriesRows(graphSeries(kind, fromObjects, dir)));
    });
  });

  it('reads the same table whether the file comes whole or in small pieces (a pipe from tcpdump)', () => {
    const file = captures.find((f) => f.endsWith('lossy-5pct.pcap'))!;
    const bytes = new Uint8Array(readFileSync(file));
    const whole = readPacketTable(bytes).table;
    const pieces = new PacketTable();
    const reader = new CaptureReader();
    // The buffer is reused between pushes, as a pipe's reads may be: the table must have copied what it keeps.
    const chunk = new Uint8Array(777);
    for (let i = 0; i < bytes.length; i += chunk.length) {
      const n = Math.min(chunk.length, bytes.length - i);
      chunk.set(bytes.subarray(i, i + n));
      reader.pushTo(chunk.subarray(0, n), pieces.sink);
    }
    expect(reader.end()).toBeNull();
    expect(pieces.length).toBe(whole.length);
    expect(pieces.length).toBeGreaterThan(100);
    for (let i = 0; i < whole.length; i++) {
      expect([pieces.seq[i], pieces.ack[i], pieces.flags[i], pieces.len[i], pieces.tsNs[i]]).toEqual([
        whole.seq[i],
        whole.ack[i],
        whole.flags[i],
        whole.len[i],
        whole.tsNs[i],
      ]);
      expect(pieces.options(i)).toEqual(whole.options(i));
    }
  });
});
