import { createSocket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { TcpClient } from './tcp-client.ts';
import { openBatchSender } from './udp-batch-sender.ts';

export interface GeneratorOptions {
  proto: 'udp' | 'tcp';
  host: string;
  port: number;
  count: number;
  size: number;
  /** Packets per second; 0 = as fast as possible. */
  rate: number;
  /** Force Node's dgram even where sendmmsg is available. */
  portable?: boolean;
  /** The bytes of each packet (a saved packet); otherwise `size` bytes of "a". */
  payload?: Uint8Array;
}

export interface GeneratorReport {
  proto: 'udp' | 'tcp';
  path: 'sendmmsg' | 'dgram' | 'tcp';
  sent: number;
  bytes: number;
  seconds: number;
  pps: number;
  gbps: number;
}

export function report(o: GeneratorOptions, path: GeneratorReport['path'], sent: number, seconds: number): GeneratorReport {
  const s = Math.max(seconds, 1e-9);
  return {
    proto: o.proto,
    path,
    sent,
    bytes: sent * o.size,
    seconds: Math.round(s * 1e6) / 1e6,
    pps: Math.round(sent / s),
    gbps: Math.round(((sent * o.size * 8) / s / 1e9) * 1e4) / 1e4,
  };
}

/**
 * The traffic generator: N packets, paced or flat out. Pacing is drift-corrected — packet i is
 * due at start + i/rate — so a late packet is not followed by an equally late one (a fixed sleep
 * per packet drifts, as Packet Sender's resend does). `progress` is called about every 100 ms;
 * `stopped()` is polled so a run can be cut short.
 */
export async function runGenerator(
  o: GeneratorOptions,
  progress: (r: GeneratorReport) => void = () => undefined,
  stopped: () => boolean = () => false,
): Promise<GeneratorReport> {
  const payload = o.payload ? Buffer.from(o.payload) : Buffer.alloc(o.size, 0x61);
  const started = performance.now();
  let sent = 0;
  let lastReport = started;
  const tick = (path: GeneratorReport['path']) => {
    const now = performance.now();
    if (now - lastReport >= 100) {
      lastReport = now;
      progress(report(o, path, sent, (now - started) / 1000));
    }
  };
  const due = (i: number) => started + (i * 1000) / o.rate;
  const wait = async (i: number) => {
    if (!o.rate) return;
    const ms = due(i) - performance.now();
    if (ms > 2) await new Promise((r) => setTimeout(r, ms - 1));
    while (performance.now() < due(i)) await new Promise((r) => setImmediate(r));
  };

  // Unpaced UDP on Linux goes through sendmmsg in batches; paced sends and other systems use dgram.
  const fast = o.proto === 'udp' && !o.rate && !o.portable ? openBatchSender(o.host, o.port, payload) : null;
  if (fast) {
    try {
      // Batches of 16k between progress reports keep the generator stoppable.
      while (sent < o.count && !stopped()) {
        sent += fast.send(Math.min(16_384, o.count - sent));
        tick('sendmmsg');
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      fast.close();
    }
    return report(o, 'sendmmsg', sent, (performance.now() - started) / 1000);
  }
  if (o.proto === 'udp') {
    const socket = createSocket(o.host.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(o.port, o.host, () => resolve());
    });
    // Up to `window` datagrams in flight: enough to keep the kernel busy, bounded memory.
    const window = o.rate ? 1 : 256;
    let inflight = 0;
    let failed: Error | null = null;
    let wake: (() => void) | null = null;
    for (let i = 0; i < o.count && !failed && !stopped(); i++) {
      await wait(i);
      while (inflight >= window) await new Promise<void>((r) => (wake = r));
      inflight++;
      socket.send(payload, (err) => {
        inflight--;
        if (err) failed = err;
        else sent++;
        wake?.();
        wake = null;
      });
      tick('dgram');
    }
    while (inflight > 0) await new Promise<void>((r) => (wake = r));
    socket.close();
    if (failed) throw failed;
    return report(o, 'dgram', sent, (performance.now() - started) / 1000);
  }
  const client = await TcpClient.connect({ host: o.host, port: o.port, timeoutMs: 5000 });
  for (let i = 0; i < o.count && !stopped(); i++) {
    await wait(i);
    if (!client.socket.write(payload)) await new Promise((r) => client.socket.once('drain', r));
    sent++;
    tick('tcp');
  }
  await new Promise<void>((r) => client.socket.end(() => r()));
  client.close();
  return report(o, 'tcp', sent, (performance.now() - started) / 1000);
}
