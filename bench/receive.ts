/**
 * Receive-side figures for `npm run bench` (also alone: node bin/run-ts.mjs bench/receive.ts).
 * The browser host runs as a child process with a page attached (a WebSocket client subscribed
 * to the sender's events and parsing them); senders and baselines are processes of their own.
 *  - UDP session: datagrams kept of 100k/s and 300k/s for 5 s, against a plain Node dgram sink
 *    and a recvmmsg sink (bench/udp-sinks.mjs) with the same receive buffer; the kernel's drops
 *    are counted for each.
 *  - TCP server session taking a bulk stream, Gbit/s, against a plain Node read loop.
 *  - 10,000 clients held on one server session: contract round trip p99 while held, and a burst
 *    of one line from each echoed, against a plain Node echo server.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startHost, type HostClient } from '../test/support/host-client.ts';

export type Report = (figure: string, value: number, unit: string, baselineName: string, baseline: number, higherIsBetter: boolean) => void;
const root = fileURLToPath(new URL('..', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Blast {
  sent: number;
  pps: number;
  gbps: number;
}
function blast(args: string[]): Promise<Blast> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [join(root, 'bin/wirelab.mjs'), 'blast', ...args, '--json'], { timeout: 120_000 }, (err, out) =>
      err ? reject(err) : resolve(JSON.parse(out) as Blast),
    );
  });
}

/** Lines of a child's stdout, one at a time. */
function lines(child: ChildProcess): () => Promise<string> {
  const queue: string[] = [];
  let waiting: ((l: string) => void) | null = null;
  let rest = '';
  child.stdout!.on('data', (d: Buffer) => {
    rest += d.toString();
    const parts = rest.split('\n');
    rest = parts.pop()!;
    for (const l of parts) {
      if (waiting) {
        const w = waiting;
        waiting = null;
        w(l);
      } else queue.push(l);
    }
  });
  return () => (queue.length ? Promise.resolve(queue.shift()!) : new Promise((r) => (waiting = r)));
}

interface Kept {
  sent: number;
  received: number;
  dropped: number | null;
}
const pct = (k: Kept) => (k.received / k.sent) * 100;
const kernelText = (k: Kept) => `${k.received.toLocaleString('en')}/${k.sent.toLocaleString('en')} kept, kernel dropped ${k.dropped ?? '?'}`;

async function sessionInfo(host: HostClient, id: string): Promise<{ received: number; receivedBytes: number; kernelDropped: number | null }> {
  const r = await host.call('sender.list', {});
  return (r.value as { id: string; received: number; receivedBytes: number; kernelDropped: number | null }[]).find((s) => s.id === id)!;
}

async function openSession(host: HostClient, spec: Record<string, unknown>): Promise<{ id: string; port: number }> {
  const r = await host.call('sender.open', { host: '127.0.0.1', port: 0, encoding: 'utf8', reply: 'none', framing: { kind: 'raw' }, ...spec });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  const v = r.value as { id: string; local: string };
  return { id: v.id, port: Number(v.local.split(':').at(-1)) };
}

async function udpSession(host: HostClient, rate: number, seconds: number): Promise<Kept> {
  const { id, port } = await openSession(host, { kind: 'udp' });
  const b = await blast(['udp', '127.0.0.1', String(port), '--count', String(rate * seconds), '--rate', String(rate), '--size', '8']);
  let last = -1;
  for (let i = 0; i < 100; i++) {
    const now = (await sessionInfo(host, id)).received;
    if (now === last) break;
    last = now;
    await sleep(200);
  }
  const info = await sessionInfo(host, id);
  await host.call('sender.close', { sessionId: id });
  return { sent: b.sent, received: info.received, dropped: info.kernelDropped };
}

async function udpSink(kind: 'dgram' | 'recvmmsg', rate: number, seconds: number): Promise<Kept> {
  const child = spawn(process.execPath, [join(root, 'bench/udp-sinks.mjs'), kind], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const next = lines(child);
  const port = Number(await next());
  const b = await blast(['udp', '127.0.0.1', String(port), '--count', String(rate * seconds), '--rate', String(rate), '--size', '8']);
  const r = JSON.parse(await next()) as { count: number; drops: number | null };
  return { sent: b.sent, received: r.count, dropped: r.drops };
}

/**
 * The open-file limit a Node child gets. Node raises its own soft RLIMIT_NOFILE to the hard
 * limit at startup, so the hard limit is what counts (`ulimit -Hn`; raising it needs root).
 */
function openFileLimit(): number {
  return Number(
    execFileSync(process.execPath, ['-e', "console.log(require('child_process').execSync('ulimit -n', { encoding: 'utf8' }).trim())"], { encoding: 'utf8' })
      .trim()
      .replace('unlimited', 'Infinity'),
  );
}

export async function benchReceive(report: Report, log: (line: string) => void = console.log): Promise<void> {
  if (process.platform !== 'linux') return log('receive: these figures need Linux (recvmmsg, /proc/net/udp); not measured');
  const host = await startHost();
  host.subscribe('sender.event');
  try {
    // ---- UDP: kept of 100k/s and 300k/s for 5 s -------------------------------------------
    for (const rate of [100_000, 300_000]) {
      const ours = await udpSession(host, rate, 5);
      const plain = await udpSink('dgram', rate, 5);
      const batched = await udpSink('recvmmsg', rate, 5);
      log(
        `receive: UDP at ${rate / 1000}k/s for 5 s — session with a page: ${kernelText(ours)}; dgram sink: ${kernelText(plain)}; recvmmsg sink: ${kernelText(batched)}`,
      );
      report(
        `receive: UDP session, 8-byte datagrams at ${rate / 1000}k/s for 5 s, page attached, kept (goal ≥ 95% at 100k/s)`,
        pct(ours),
        '%',
        'plain Node dgram sink process',
        pct(plain),
        true,
      );
      report(
        `receive: UDP session at ${rate / 1000}k/s, kept, against a recvmmsg sink`,
        pct(ours),
        '%',
        'recvmmsg sink process (koffi, 64 per call)',
        pct(batched),
        true,
      );
    }

    // ---- TCP: a bulk stream into a server session -------------------------------------------
    {
      const { id, port } = await openSession(host, { kind: 'tcp-server' });
      const args = (p: number) => ['tcp', '127.0.0.1', String(p), '--count', '12000', '--size', '131072'];
      const ours = (await blast(args(port))).gbps;
      await sleep(300);
      const got = await sessionInfo(host, id);
      await host.call('sender.close', { sessionId: id });
      const script = "const s=require('net').createServer(c=>c.on('data',()=>{}));s.listen(0,'127.0.0.1',()=>console.log(s.address().port))";
      const sink = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      const sinkPort = Number(await lines(sink)());
      const plain = (await blast(args(sinkPort))).gbps;
      sink.kill();
      log(
        `receive: TCP bulk into a server session: ${ours.toFixed(2)} Gbit/s (${(got.receivedBytes / 2 ** 20).toFixed(0)} MiB counted); plain Node read loop: ${plain.toFixed(2)} Gbit/s`,
      );
      report(
        'receive: TCP server session taking a bulk stream (128 KiB writes), page attached',
        ours,
        'Gbit/s',
        'plain Node read loop in its own process',
        plain,
        true,
      );
    }

    // ---- 10,000 clients held on one server session ------------------------------------------
    await benchManyClients(host, report, log);
  } finally {
    await host.close();
  }
}

async function pingP99(host: HostClient, n: number): Promise<number> {
  const ts: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await host.call('app.ping', { at: i });
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  return ts[Math.floor(ts.length * 0.99)]!;
}

async function holdClients(port: number, n: number): Promise<{ child: ChildProcess; held: number; burst(): Promise<number> }> {
  const child = spawn(process.execPath, [join(root, 'bench/many-clients.mjs'), String(port), String(n)], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
  const next = lines(child);
  const held = (JSON.parse(await next()) as { held: number }).held;
  return {
    child,
    held,
    async burst() {
      child.stdin!.write('burst\n');
      return (JSON.parse(await next()) as { burstMs: number }).burstMs;
    },
  };
}

async function benchManyClients(host: HostClient, report: Report, log: (line: string) => void): Promise<void> {
  const n = 10_000;
  const soft = openFileLimit();
  if (soft < n + 200) {
    // 10,000 descriptors in the host and as many in the clients' process
    return log(
      `receive: 10,000 clients not measured: a Node process may open ${soft} files here (the hard limit); raise it with ulimit -Hn ${n + 1000} as root`,
    );
  }
  const idle = await pingP99(host, 1000);
  const { id, port } = await openSession(host, { kind: 'tcp-server', framing: { kind: 'delimiter', delimiter: '\n' }, reply: 'echo' });
  const clients = await holdClients(port, n);
  const held = await pingP99(host, 1000);
  const burst = await clients.burst();
  clients.child.kill();
  await host.call('sender.close', { sessionId: id });
  const script = "const s=require('net').createServer(c=>c.pipe(c));s.listen(0,'127.0.0.1',()=>console.log(s.address().port))";
  const echo = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const echoPort = Number(await lines(echo)());
  const plainClients = await holdClients(echoPort, n);
  const plainBurst = await plainClients.burst();
  plainClients.child.kill();
  echo.kill();
  log(
    `receive: ${clients.held.toLocaleString('en')} clients held: app.ping p99 ${held.toFixed(2)} ms (idle ${idle.toFixed(2)} ms); burst of one line each echoed in ${burst.toFixed(0)} ms (plain Node echo server ${plainBurst.toFixed(0)} ms)`,
  );
  report('receive: contract round trip p99 with 10,000 clients held on one server session (goal ≤ 5 ms)', held, 'ms', 'p99 with no clients held', idle, false);
  report('receive: a burst of one line from each of 10,000 clients, all echoed (goal ≤ 1 s)', burst, 'ms', 'plain Node echo server process', plainBurst, false);
}

if (process.argv.slice(1).some((a) => a.endsWith('bench/receive.ts'))) {
  await benchReceive((figure, value, unit, baselineName, baseline, higher) => {
    const ratio = higher ? value / baseline : baseline / value;
    console.log(`${figure}: ${value.toFixed(2)} ${unit} | ${baselineName}: ${baseline.toFixed(2)} ${unit} | ratio ${ratio.toFixed(2)}×`);
  });
}
