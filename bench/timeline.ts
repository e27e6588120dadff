/**
 * Timeline figures for `npm run bench` (also runnable alone: node bin/run-ts.mjs bench/timeline.ts):
 * - parsing a 1,000,000-packet capture, against tshark printing the same fields from the same file;
 * - live capture, packet (kernel timestamp) → parsed segment, against tcpdump without --immediate-mode.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, readSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CaptureReader } from '../shared/timeline/pcap-reader.ts';
import { decodeTcp } from '../shared/timeline/tcp-packet.ts';
import { findTcpdump, loopbackInterface, tcpdumpArgs } from '../electron/services/timeline/packet-capture.ts';

export type Report = (figure: string, value: number, unit: string, baselineName: string, baseline: number, higherIsBetter: boolean) => void;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * A pcap of `n` Ethernet/IPv4/TCP packets over 1,000 connections, 66 captured bytes each (headers
 * with timestamps option; the payload lengths live in the IP header, as with a short snaplen).
 */
export function writeSyntheticCapture(path: string, n: number): void {
  const rec = 16 + 66;
  const buf = Buffer.alloc(24 + n * rec);
  buf.writeUInt32LE(0xa1b2c3d4, 0);
  buf.writeUInt16LE(2, 4);
  buf.writeUInt16LE(4, 6);
  buf.writeUInt32LE(66, 16);
  buf.writeUInt32LE(1, 20);
  const seqs = new Uint32Array(2000).map((_, i) => (i * 2654435761) >>> 0);
  for (let i = 0; i < n; i++) {
    const o = 24 + i * rec;
    const conn = i % 1000;
    const dir = (i >> 3) & 1;
    const len = dir ? 0 : 100 + (i % 1300);
    buf.writeUInt32LE(1_790_000_000 + Math.floor(i / 100_000), o);
    buf.writeUInt32LE((i * 7) % 1_000_000, o + 4);
    buf.writeUInt32LE(66, o + 8);
    buf.writeUInt32LE(66 + len, o + 12);
    const f = o + 16;
    buf.writeUInt16BE(0x0800, f + 12);
    const ip = f + 14;
    buf[ip] = 0x45;
    buf.writeUInt16BE(20 + 32 + len, ip + 2);
    buf[ip + 8] = 64;
    buf[ip + 9] = 6;
    buf.writeUInt32BE(0x7f000001, ip + 12);
    buf.writeUInt32BE(0x7f000001, ip + 16);
    const tcp = ip + 20;
    const client = 40000 + conn;
    buf.writeUInt16BE(dir ? 8080 : client, tcp);
    buf.writeUInt16BE(dir ? client : 8080, tcp + 2);
    const s = conn * 2 + dir;
    buf.writeUInt32BE(seqs[s]!, tcp + 4);
    buf.writeUInt32BE(seqs[conn * 2 + 1 - dir]!, tcp + 8);
    seqs[s] = (seqs[s]! + len) >>> 0;
    buf[tcp + 12] = 8 << 4;
    buf[tcp + 13] = len ? 0x18 : 0x10;
    buf.writeUInt16BE(512, tcp + 14);
    buf[tcp + 20] = 1;
    buf[tcp + 21] = 1;
    buf[tcp + 22] = 8;
    buf[tcp + 23] = 10;
    buf.writeUInt32BE(i, tcp + 24);
    buf.writeUInt32BE(i, tcp + 28);
  }
  writeFileSync(path, buf);
}

/** Reads the file in 64 KiB chunks as a pipe would deliver it; returns decoded TCP packets. */
function parseFile(path: string): { packets: number; ms: number } {
  const t0 = performance.now();
  const fd = openSync(path, 'r');
  const chunk = Buffer.alloc(1 << 16);
  const reader = new CaptureReader();
  let packets = 0;
  let seqSum = 0;
  for (;;) {
    const n = readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) break;
    reader.push(chunk.subarray(0, n), (f) => {
      const p = decodeTcp(f);
      if (p) {
        packets++;
        seqSum ^= p.seq ^ p.ack ^ p.flags ^ p.len;
      }
    });
  }
  closeSync(fd);
  const problem = reader.end();
  if (problem) throw new Error(`bench capture did not parse: ${problem.message} at ${problem.offset}`);
  if (seqSum === 0.5) console.log('unreachable');
  return { packets, ms: performance.now() - t0 };
}

export async function benchTimeline(report: Report, log: (line: string) => void = console.log): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wirelab-bench-tl-'));
  const file = join(dir, 'million.pcap');
  try {
    const n = 1_000_000;
    writeSyntheticCapture(file, n);
    const runs = [0, 1, 2, 3, 4].map(() => parseFile(file));
    if (runs.some((r) => r.packets !== n)) throw new Error(`parsed ${runs[0]!.packets} of ${n}`);
    const ours = n / (median(runs.map((r) => r.ms)) / 1000);
    const tshark = spawnSync('sh', ['-c', 'command -v tshark']).status === 0;
    if (tshark) {
      const t0 = performance.now();
      const r = spawnSync('tshark', ['-r', file, '-T', 'fields', '-e', 'tcp.seq', '-e', 'tcp.ack', '-e', 'tcp.flags', '-e', 'tcp.len'], {
        stdio: ['ignore', 'pipe', 'ignore'],
        maxBuffer: 1 << 30,
      });
      const ms = performance.now() - t0;
      const lines = r.stdout.toString().split('\n').length - 1;
      if (lines !== n) log(`tshark printed ${lines} lines for ${n} packets`);
      report(
        'timeline: parse a 1,000,000-packet pcap in 64 KiB chunks (goal ≥ 50×)',
        ours,
        'packets/s',
        'tshark -T fields -e tcp.seq -e tcp.ack -e tcp.flags -e tcp.len',
        n / (ms / 1000),
        true,
      );
    } else {
      log(`timeline: parse 1,000,000 packets: ${Math.round(ours).toLocaleString('en')} packets/s (tshark is not installed: apt-get install tshark to compare)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const tool = findTcpdump();
  if (!tool) return log('timeline: live latency not measured: tcpdump is not installed');
  const immediate = await liveLatency(tool, true);
  const buffered = await liveLatency(tool, false);
  log(
    `timeline: live packet → parsed, ${immediate.count} packets: p50 ${immediate.p50.toFixed(2)} ms, p95 ${immediate.p95.toFixed(2)} ms (without --immediate-mode: p50 ${buffered.p50.toFixed(1)} ms)`,
  );
  report('timeline: live capture, packet → parsed segment, p50 (goal ≤ 5 ms)', immediate.p50, 'ms', 'tcpdump -U without --immediate-mode', buffered.p50, false);
}

/** 40 short connections over ~2 s on loopback, captured as Wirelab does; latency per packet. */
async function liveLatency(tool: string, immediateMode: boolean): Promise<{ p50: number; p95: number; count: number }> {
  const server = createServer((s) => s.on('data', (d) => s.end(d)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const args = tcpdumpArgs({ port }, loopbackInterface()).filter((a) => immediateMode || a !== '--immediate-mode');
  const child = spawn(tool, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const reader = new CaptureReader();
  const lat: number[] = [];
  child.stdout.on('data', (c: Buffer) =>
    reader.push(c, (f) => {
      if (decodeTcp(f)) lat.push(performance.timeOrigin + performance.now() - (f.tsSec * 1000 + f.tsNs / 1e6));
    }),
  );
  await new Promise<void>((resolve) => child.stderr.on('data', (d: Buffer) => /listening on/.test(d.toString()) && resolve()));
  for (let i = 0; i < 40; i++) {
    await new Promise<void>((resolve) => {
      const c = connect(port, '127.0.0.1', () => c.write('ping'));
      c.on('data', () => {});
      c.on('close', () => resolve());
    });
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, immediateMode ? 200 : 1500));
  child.kill('SIGINT');
  await new Promise((r) => child.on('exit', r));
  server.close();
  const sorted = lat.sort((a, b) => a - b);
  return { p50: sorted[Math.floor(sorted.length / 2)] ?? NaN, p95: sorted[Math.floor(sorted.length * 0.95)] ?? NaN, count: sorted.length };
}

if (process.argv.slice(1).some((a) => a.endsWith('bench/timeline.ts'))) {
  await benchTimeline((figure, value, unit, baselineName, baseline, higher) => {
    const ratio = higher ? value / baseline : baseline / value;
    console.log(`${figure}: ${value.toFixed(2)} ${unit} | ${baselineName}: ${baseline.toFixed(2)} ${unit} | ratio ${ratio.toFixed(2)}×`);
  });
}
