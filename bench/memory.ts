/**
 * Memory figures for `npm run bench` (also alone: node bin/run-ts.mjs bench/memory.ts). The
 * browser host runs as a child process; its resident set (VmRSS) is read from /proc.
 *  - RSS after 300 one-packet traffic-generator runs, against the same host idle: each run has a
 *    worker thread of its own, and a run that kept it cost ~30 MB (issue "Reliability", item 5).
 *  - Peak RSS during a 5 s UDP flood into a session while the page's socket has stopped reading,
 *    against the same flood with no page attached: the event stream to a stalled page is bounded
 *    in bytes (item 7), so the difference should stay small.
 */
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { startHost, until, type HostClient } from '../test/support/host-client.ts';
import type { Report } from './receive.ts';

const MB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function generatorRuns(host: HostClient, runs: number): Promise<void> {
  const sink = createSocket('udp4');
  await new Promise<void>((r) => sink.bind(0, '127.0.0.1', r));
  let finished = 0;
  host.ws.on('message', (data: Buffer) => {
    const m = JSON.parse(data.toString()) as { type: string; stream?: string; events?: { state: string }[] };
    if (m.type === 'events' && m.stream === 'generator.progress') finished += m.events!.filter((e) => e.state !== 'running').length;
  });
  host.subscribe('generator.progress');
  await host.call('app.ping', { at: 0 });
  for (let i = 0; i < runs; i++) {
    const r = await host.call('generator.start', { proto: 'udp', host: '127.0.0.1', port: sink.address().port, count: 1, size: 8, rate: 0 });
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    await until(() => finished > i, 20_000, `generator run ${i + 1} to finish`);
  }
  sink.close();
}

/** Floods a UDP session for `ms`; returns the host's peak RSS meanwhile and a little after. */
async function floodPeak(host: HostClient, ms: number, stallPage: boolean): Promise<{ peak: number; sent: number }> {
  const opened = await host.call('sender.open', { kind: 'udp', host: '127.0.0.1', port: 0, framing: { kind: 'raw' }, encoding: 'utf8' });
  if (!opened.ok) throw new Error(JSON.stringify(opened.error));
  const { id, local } = opened.value as { id: string; local: string };
  const port = Number(local.slice(local.lastIndexOf(':') + 1));
  if (stallPage) {
    host.subscribe('sender.event');
    await host.call('app.ping', { at: 0 });
    (host.ws as unknown as { _socket: Socket })._socket.pause();
  }
  let peak = host.rss();
  const sampler = setInterval(() => (peak = Math.max(peak, host.rss())), 100);
  const sock = createSocket('udp4');
  const payload = randomBytes(4000);
  let sent = 0;
  const end = Date.now() + ms;
  while (Date.now() < end) {
    await new Promise<void>((resolve) => {
      let left = 64;
      for (let i = 0; i < 64; i++) sock.send(payload, port, '127.0.0.1', () => (sent++, --left === 0 && resolve()));
    });
  }
  sock.close();
  await sleep(1500);
  clearInterval(sampler);
  if (!stallPage) await host.call('sender.close', { sessionId: id });
  return { peak, sent };
}

export async function benchMemory(report: Report): Promise<void> {
  if (process.platform !== 'linux') return void console.log('memory figures: skipped (they read /proc)');
  {
    const host = await startHost();
    try {
      await sleep(500);
      const idle = host.rss();
      await generatorRuns(host, 300);
      await sleep(1000);
      report('memory: host RSS after 300 one-packet generator runs', host.rss() / MB, 'MB', 'the same host idle', idle / MB, false);
    } finally {
      await host.close();
    }
  }
  {
    const quiet = await startHost();
    let alone: { peak: number; sent: number };
    try {
      alone = await floodPeak(quiet, 5000, false);
    } finally {
      await quiet.close();
    }
    const stalled = await startHost();
    try {
      const withPage = await floodPeak(stalled, 5000, true);
      console.log(`  (flood: ${withPage.sent.toLocaleString('en')} datagrams of 4,000 B with a stalled page, ${alone.sent.toLocaleString('en')} without)`);
      report('memory: host peak RSS, 5 s UDP flood, page stopped reading', withPage.peak / MB, 'MB', 'same flood, no page', alone.peak / MB, false);
    } finally {
      await stalled.close();
    }
  }
}

if (process.argv.slice(1).some((a) => a.endsWith('bench/memory.ts'))) {
  await benchMemory((figure, value, unit, baselineName, baseline, higher) => {
    const ratio = higher ? value / baseline : baseline / value;
    console.log(`${figure}: ${value.toFixed(1)} ${unit} | ${baselineName}: ${baseline.toFixed(1)} ${unit} | ratio ${ratio.toFixed(2)}×`);
  });
}
