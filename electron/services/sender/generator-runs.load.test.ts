import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.ts';
import { createBackend } from '../backend.ts';

/** This process's thread count and resident memory (Linux: /proc/self/status). */
function selfStatus(): { threads: number; rssMB: number } {
  const s = readFileSync('/proc/self/status', 'utf8');
  return { threads: Number(/^Threads:\s+(\d+)/m.exec(s)![1]), rssMB: Number(/^VmRSS:\s+(\d+)/m.exec(s)![1]) / 1024 };
}

describe.runIf(process.platform === 'linux')('generator runs end their worker', () => {
  it('keeps threads and memory flat over 300 one-packet runs', { timeout: 240_000 }, async () => {
    const backend = await createBackend({ host: 'browser', dataDir: await tempDir() });
    let finished = 0;
    backend.hub.on('generator.progress', (p) => {
      if (p.state !== 'running') finished++;
    });
    const sink = createSocket('udp4');
    let received = 0;
    sink.on('message', () => received++);
    await new Promise<void>((res) => sink.bind(0, '127.0.0.1', res));
    let started = 0;
    const runs = async (n: number, bound?: { threads: number; rssMB: number }) => {
      // Four at a time: a few runs overlap as they do when a user clicks quickly.
      for (let i = 0; i < n; i += 4) {
        const batch = Math.min(4, n - i);
        for (let j = 0; j < batch; j++) {
          const r = await backend.dispatcher.call('generator.start', {
            proto: 'udp',
            host: '127.0.0.1',
            port: sink.address().port,
            count: 1,
            size: 8,
            rate: 0,
          });
          if (!r.ok) throw new Error(r.error.message);
          started++;
        }
        const until = Date.now() + 20_000;
        while (finished < started && Date.now() < until) await new Promise((res) => setTimeout(res, 5));
        expect(finished).toBe(started);
        // A leak stops the test early instead of taking the machine's memory (9 GB for 300 runs before the fix).
        if (bound && i % 40 === 0) {
          const now = selfStatus();
          expect(now.threads, `threads after ${i + batch} runs`).toBeLessThanOrEqual(bound.threads + 12);
          expect(now.rssMB - bound.rssMB, `RSS growth after ${i + batch} runs`).toBeLessThan(200);
        }
      }
    };
    const settle = async () => {
      // Terminated threads are joined asynchronously: give them a moment, then let V8 collect.
      await new Promise((res) => setTimeout(res, 500));
      (globalThis as { gc?: () => void }).gc?.();
    };
    await runs(8); // warm-up: the first runs load modules and grow the heap once
    await settle();
    const before = selfStatus();
    await runs(300, before);
    await settle();
    // Joining can take longer on a loaded machine: wait up to 5 s for the threads to go.
    let after = selfStatus();
    for (let i = 0; i < 50 && after.threads > before.threads + 2; i++) {
      await new Promise((res) => setTimeout(res, 100));
      after = selfStatus();
    }
    console.log(`generator: 300 runs, threads ${before.threads} → ${after.threads}, RSS ${before.rssMB.toFixed(0)} → ${after.rssMB.toFixed(0)} MB`);
    // Before the fix every run left its thread running: +2 threads and ~30 MB per run.
    expect(after.threads).toBeLessThanOrEqual(before.threads + 2);
    expect(after.rssMB - before.rssMB).toBeLessThan(60);
    expect(received).toBe(started); // loopback, 308 datagrams, one at a time
    sink.close();
    await backend.dispose();
  });
});
