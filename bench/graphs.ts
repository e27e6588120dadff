/**
 * TCP stream graph figures for `npm run bench` (also alone: node bin/run-ts.mjs bench/graphs.ts):
 * - all five graph series of one 1,000,000-packet bulk transfer (read, analysed as Wireshark
 *   does, Stevens + tcptrace + throughput + RTT + window), against tshark computing ack_rtt
 *   for the same file (`-T fields -e tcp.analysis.ack_rtt`);
 * - drawing its tcptrace series with the shared chart (renderer/src/components/Chart.tsx,
 *   bundled by esbuild) in Chromium: frame times while zooming with the wheel, against uPlot
 *   drawing the same rows without decimation.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from '@playwright/test';
import { graphKinds, graphSeries, seriesLength } from '../shared/timeline/graphs.ts';
import { readPacketTable } from '../shared/timeline/packet-table.ts';
import { analyzeRows } from '../shared/timeline/tcp-analysis.ts';
import { groupTable } from '../shared/timeline/tcp-streams.ts';
import type { Report } from './timeline.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * One connection, `n` packets: the handshake, then 1448-byte segments from the client, a
 * delayed ACK from the server every second segment (with timestamps, as Linux sends them), and
 * every 997th segment lost: three duplicate ACKs with a SACK block, then its fast retransmission.
 */
export function writeBulkTransfer(path: string, n: number): void {
  const caplen = 14 + 20 + 44; // Ethernet, IPv4, TCP with up to 24 bytes of options
  const rec = 16 + caplen;
  const buf = Buffer.alloc(24 + n * rec);
  buf.writeUInt32LE(0xa1b2c3d4, 0);
  buf.writeUInt16LE(2, 4);
  buf.writeUInt16LE(4, 6);
  buf.writeUInt32LE(caplen, 16);
  buf.writeUInt32LE(1, 20);
  const cIsn = 1_000_000;
  const sIsn = 3_000_000_000;
  let i = 0;
  let us = 0;
  const put = (fromClient: boolean, flags: number, seq: number, ack: number, len: number, opts: number[]) => {
    if (i >= n) return;
    const o = 24 + i * rec;
    us += 10;
    buf.writeUInt32LE(1_790_000_000 + Math.floor(us / 1e6), o);
    buf.writeUInt32LE(us % 1e6, o + 4);
    const optLen = opts.length;
    const tcpLen = 20 + optLen;
    buf.writeUInt32LE(caplen, o + 8); // fixed-size records; the IP length says where the header ends
    buf.writeUInt32LE(14 + 20 + tcpLen + len, o + 12);
    const f = o + 16;
    buf.writeUInt16BE(0x0800, f + 12);
    const ip = f + 14;
    buf[ip] = 0x45;
    buf.writeUInt16BE(20 + tcpLen + len, ip + 2);
    buf[ip + 8] = 64;
    buf[ip + 9] = 6;
    buf.writeUInt32BE(0x7f000001, ip + 12);
    buf.writeUInt32BE(0x7f000002, ip + 16);
    if (!fromClient) {
      buf.writeUInt32BE(0x7f000002, ip + 12);
      buf.writeUInt32BE(0x7f000001, ip + 16);
    }
    const tcp = ip + 20;
    buf.writeUInt16BE(fromClient ? 50000 : 5001, tcp);
    buf.writeUInt16BE(fromClient ? 5001 : 50000, tcp + 2);
    buf.writeUInt32BE(seq >>> 0, tcp + 4);
    buf.writeUInt32BE(ack >>> 0, tcp + 8);
    buf[tcp + 12] = (tcpLen / 4) << 4;
    buf[tcp + 13] = flags;
    buf.writeUInt16BE(fromClient ? 502 : 2048, tcp + 14);
    for (let k = 0; k < optLen; k++) buf[tcp + 20 + k] = opts[k]!;
    i++;
  };
  const ts = () => [1, 1, 8, 10, 0, 0, 0, (i & 0xff) + 1, 0, 0, 0, 1];
  const sack = (l: number, r: number) => [
    1,
    1,
    5,
    10,
    (l >>> 24) & 255,
    (l >>> 16) & 255,
    (l >>> 8) & 255,
    l & 255,
    (r >>> 24) & 255,
    (r >>> 16) & 255,
    (r >>> 8) & 255,
    r & 255,
  ];
  put(true, 0x02, cIsn, 0, 0, [2, 4, 5, 0xb4, 1, 3, 3, 7]);
  put(false, 0x12, sIsn, cIsn + 1, 0, [2, 4, 5, 0xb4, 1, 3, 3, 7]);
  put(true, 0x10, cIsn + 1, sIsn + 1, 0, ts());
  let next = cIsn + 1;
  let acked = next;
  let k = 0;
  while (i < n) {
    k++;
    if (k % 997 === 0) {
      // lost on the way: the next segments arrive, each answered by a duplicate ACK with a SACK block
      const lost = next;
      next += 1448;
      for (let d = 0; d < 3; d++) {
        put(true, 0x10, next, sIsn + 1, 1448, ts());
        next += 1448;
        put(false, 0x10, sIsn + 1, lost, 0, [...ts(), ...sack(lost + 1448, next)]);
      }
      put(true, 0x10, lost, sIsn + 1, 1448, ts());
      put(false, 0x10, sIsn + 1, next, 0, ts());
      acked = next;
      continue;
    }
    put(true, 0x18, next, sIsn + 1, 1448, ts());
    next += 1448;
    if (next - acked >= 2 * 1448) {
      put(false, 0x10, sIsn + 1, next, 0, ts());
      acked = next;
    }
  }
  writeFileSync(path, buf.subarray(0, 24 + i * rec));
}

/**
 * Read, analyse and compute every graph of the file's one stream, as `wirelab timeline FILE
 * --graph` does (the file as columns: packet-table.ts); ms, in total and per phase.
 */
function allSeries(path: string): { ms: number; read: number; analysis: number; series: number; points: number } {
  const t0 = performance.now();
  const { table } = readPacketTable(readFileSync(path));
  const t1 = performance.now();
  const a = analyzeRows(table, groupTable(table)[0]!);
  const t2 = performance.now();
  let points = 0;
  for (const kind of graphKinds) points += seriesLength(graphSeries(kind, a, 'client'));
  const t3 = performance.now();
  return { ms: t3 - t0, read: t1 - t0, analysis: t2 - t1, series: t3 - t2, points };
}

/** The tcptrace series of the file, as the chart's columns (plain arrays, null for gaps: they go to the page as JSON). */
export function tcptraceColumns(path: string): (number | null)[][] {
  const { table } = readPacketTable(readFileSync(path));
  const s = graphSeries('tcptrace', analyzeRows(table, groupTable(table)[0]!), 'client');
  const v = (c: number, i: number) => (Number.isNaN(s.values[c]![i]!) ? null : s.values[c]![i]!);
  const cols: (number | null)[][] = [[], [], [], [], []];
  for (let i = 0; i < s.t.length; i++) {
    cols[0]!.push(s.t[i]!);
    cols[1]!.push(v(0, i));
    cols[2]!.push(s.values[2]![i] === 1 ? null : v(1, i));
    cols[3]!.push(v(3, i));
    cols[4]!.push(v(4, i));
  }
  return cols;
}

const pageEntry = `
import { createElement, createRef } from 'react';
import { createRoot } from 'react-dom/client';
import { flushSync } from 'react-dom';
import uPlot from 'uplot';
import { Chart } from './renderer/src/components/Chart.tsx';
window.drawChart = (cols, decimated) => {
  const el = document.getElementById('root');
  el.innerHTML = '';
  const series = [
    { label: 'seq', color: '#2563eb', style: 'hidden' },
    { label: 'data', color: '#2563eb', style: 'bar', from: 1, width: 2 },
    { label: 'ack', color: '#16a34a', style: 'step' },
    { label: 'rwnd', color: '#d97706', style: 'step' },
  ];
  if (decimated) {
    const ref = createRef();
    flushSync(() => createRoot(el).render(createElement(Chart, { ref, data: cols, series, xLabel: 't', yLabel: 'seq', dark: false, ariaLabel: 'bench', height: 500 })));
    return;
  }
  // The baseline: uPlot itself given every row (no decimation), zoomed by the same wheel rule.
  const u = new uPlot({ width: el.clientWidth, height: 500, scales: { x: { time: false } }, legend: { show: false },
    series: [{}, { show: false }, { stroke: '#2563eb' }, { stroke: '#16a34a', spanGaps: true }, { stroke: '#d97706', spanGaps: true }] }, cols, el);
  const x = cols[0];
  u.over.addEventListener('wheel', (e) => {
    e.preventDefault();
    const min = u.scales.x.min, max = u.scales.x.max, at = u.posToVal(e.offsetX, 'x'), f = e.deltaY < 0 ? 0.8 : 1.25;
    const lo = Math.max(x[0], at - (at - min) * f), hi = Math.min(x[x.length - 1], at + (max - at) * f);
    if (hi > lo) u.setScale('x', { min: lo, max: hi });
  }, { passive: false });
};
`;

/** p95 frame time (ms) in Chromium while the wheel zooms in and out over the chart. */
export async function zoomFrames(
  cols: (number | null)[][],
  decimated: boolean,
  bundle: string,
  cpuSlowdown = 1,
): Promise<{ p50: number; p95: number; frames: number }> {
  const browser = await chromium.launch({
    executablePath: process.env.WIRELAB_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // Optionally as a slower machine would run it (Chromium's CPU throttling, as DevTools offers).
    if (cpuSlowdown > 1) await (await page.context().newCDPSession(page)).send('Emulation.setCPUThrottlingRate', { rate: cpuSlowdown });
    await page.setContent(`<!doctype html><html><body style="margin:0"><div id="root" style="width:1200px"></div></body></html>`);
    await page.addScriptTag({ content: bundle });
    await page.evaluate(([c, d]) => (globalThis as unknown as { drawChart(c: unknown, d: boolean): void }).drawChart(c, d as boolean), [
      cols,
      decimated,
    ] as const);
    const over = page.locator('.u-over');
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
    await page.evaluate(
      `window.__frames = []; (function loop(t0) { requestAnimationFrame((t) => { window.__frames.push(t - t0); loop(t); }); })(performance.now());`,
    );
    for (let r = 0; r < 3; r++) {
      for (let s = 0; s < 12; s++) {
        await page.mouse.wheel(0, -120);
        await page.waitForTimeout(30);
      }
      for (let s = 0; s < 12; s++) {
        await page.mouse.wheel(0, 120);
        await page.waitForTimeout(30);
      }
    }
    const frames = (await page.evaluate('window.__frames')) as number[];
    const sorted = frames.slice(1).sort((a, b) => a - b);
    return { p50: sorted[Math.floor(sorted.length / 2)]!, p95: sorted[Math.floor(sorted.length * 0.95)]!, frames: sorted.length };
  } finally {
    await browser.close();
  }
}

/** The shared chart (and uPlot) bundled for a blank page, as the app's build bundles it. */
export async function chartBundle(): Promise<string> {
  const entry = join(root, '.bench-chart-entry.tsx');
  writeFileSync(entry, pageEntry);
  try {
    const out = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      format: 'iife',
      jsx: 'automatic',
      loader: { '.css': 'empty' },
      define: { 'process.env.NODE_ENV': '"production"' },
      logLevel: 'silent',
      absWorkingDir: root,
    });
    return out.outputFiles[0]!.text;
  } finally {
    rmSync(entry, { force: true });
  }
}

export async function benchGraphs(report: Report, log: (line: string) => void = console.log): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wirelab-bench-graphs-'));
  const file = join(dir, 'bulk-1m.pcap');
  try {
    const n = 1_000_000;
    writeBulkTransfer(file, n);
    const runs = [0, 1, 2].map(() => allSeries(file));
    const ours = median(runs.map((r) => r.ms));
    const phase = (k: 'read' | 'analysis' | 'series') => (median(runs.map((r) => r[k])) / 1000).toFixed(1);
    // The machine is shared: its load says how far a figure is from a quiet machine's.
    log(
      `graphs: 5 series of a ${n.toLocaleString('en')}-packet stream (${runs[0]!.points.toLocaleString('en')} points) in ${ours.toFixed(0)} ms ` +
        `(read ${phase('read')} s, analysis ${phase('analysis')} s, series ${phase('series')} s; load average ${loadavg()[0]!.toFixed(1)})`,
    );
    if (spawnSync('sh', ['-c', 'command -v tshark']).status === 0) {
      const t0 = performance.now();
      const r = await new Promise<number>((resolve) => {
        const c = spawn('tshark', ['-r', file, '-T', 'fields', '-e', 'tcp.analysis.ack_rtt'], { stdio: ['ignore', 'pipe', 'ignore'] });
        let lines = 0;
        c.stdout.on('data', (d: Buffer) => {
          for (const b of d) if (b === 10) lines++;
        });
        c.on('close', () => resolve(lines));
      });
      const ms = performance.now() - t0;
      if (r !== n) log(`tshark printed ${r} lines for ${n} packets`);
      report(`graphs: all 5 series of a 1,000,000-packet stream (goal ≤ 1 s)`, ours, 'ms', 'tshark -T fields -e tcp.analysis.ack_rtt', ms, false);
    } else log('graphs: tshark is not installed (apt-get install tshark) — no baseline');

    // Drawing: the tcptrace rows of the same stream.
    const cols = tcptraceColumns(file);
    const bundle = await chartBundle();
    const dec = await zoomFrames(cols, true, bundle);
    const raw = await zoomFrames(cols, false, bundle);
    const slowDec = await zoomFrames(cols, true, bundle, 4);
    const slowRaw = await zoomFrames(cols, false, bundle, 4);
    log(`graphs: the same at 4× CPU slowdown: p95 ${slowDec.p95.toFixed(1)} ms with decimation, ${slowRaw.p95.toFixed(1)} ms without`);
    log(
      `graphs: zooming a ${cols[0]!.length.toLocaleString('en')}-row tcptrace chart: frame p50 ${dec.p50.toFixed(1)} ms, p95 ${dec.p95.toFixed(1)} ms with decimation; p95 ${raw.p95.toFixed(1)} ms without`,
    );
    report('graphs: frame time p95 zooming a 1,000,000-packet tcptrace chart (goal ≤ 33 ms)', dec.p95, 'ms', 'uPlot without decimation', raw.p95, false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.slice(1).some((a) => a.endsWith('bench/graphs.ts'))) {
  await benchGraphs((figure, value, unit, baselineName, baseline, higher) => {
    const ratio = higher ? value / baseline : baseline / value;
    console.log(`${figure}: ${value.toFixed(2)} ${unit} | ${baselineName}: ${baseline.toFixed(2)} ${unit} | ratio ${ratio.toFixed(2)}×`);
  });
}
