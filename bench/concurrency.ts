/**
 * Concurrency-lab figures for `npm run bench` (also alone: node bin/run-ts.mjs bench/concurrency.ts):
 * - the load generator against a C epoll echo server, beside a C epoll load client doing the same
 *   (pipelining 1, 64-byte requests) at 1, 100 and 10,000 connections (goal ≥ 0.8×);
 * - each model's requests/s and p99 at 1, 100 and 1,000 connections, as a table;
 * - 10,000 connections established and held: time to establish, this process's RSS while held;
 * - CPU work per request (the GIL): threads, processes, asyncio and node at --work-ms 20 with 8
 *   connections, requests/s beside one core's worth (1000 / 20 = 50 a second) and the server's CPU
 *   (alone: node bin/run-ts.mjs bench/concurrency.ts --gil).
 * The C programs are bench/c/*.c, compiled here with cc into a temp folder.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { concurrencyModels } from '../shared/concurrency/models.ts';
import type { ConcurrencyEvent, LoadStart } from '../shared/contract/concurrency.ts';
import { EventHub } from '../electron/core/event-hub.ts';
import { ConcurrencyService } from '../electron/services/concurrency/concurrency-service.ts';
import { fdLimit } from '../electron/services/concurrency/fd-limit.ts';
import { findExecutable } from '../electron/services/find-executable.ts';
import { pythonAvailable } from '../electron/services/processes/labs.ts';
import { ServerStats } from '../electron/services/concurrency/server-stats.ts';

export type Report = (figure: string, value: number, unit: string, baselineName: string, baseline: number, higherIsBetter: boolean) => void;
type LoadEvent = Extract<ConcurrencyEvent, { kind: 'load' }>;
const here = fileURLToPath(new URL('.', import.meta.url));

function runLoad(
  service: ConcurrencyService,
  hub: EventHub,
  input: Omit<LoadStart, 'host' | 'timeoutMs'> & { timeoutMs?: number },
  onProgress?: (e: LoadEvent) => void,
): Promise<LoadEvent> {
  return new Promise((resolve, reject) => {
    let id = '';
    const off = hub.on('concurrency.event', (e) => {
      if (e.kind !== 'load' || e.id !== id) return;
      onProgress?.(e);
      if (e.state !== 'running') {
        off();
        resolve(e);
      }
    });
    try {
      id = service.startLoad({ host: '127.0.0.1', timeoutMs: 10_000, ...input }).id;
    } catch (e) {
      off();
      reject(e as Error);
    }
  });
}

async function startC(bin: string): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(bin, [], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  return { port: Number(chunk.toString().trim()), child };
}

/**
 * The GIL lesson as figures: each request costs 20 ms of CPU on the server, 8 connections. One
 * core answers 50 such requests a second; the threaded server stays there (the GIL), the forking
 * one goes past it with a core to spare. The server's CPU is read from /proc over the run's
 * middle 2 s (Linux). On a busy machine the kernel shares the CPU per session, so read the
 * figures with the machine's load in mind.
 */
export async function benchGil(service: ConcurrencyService, hub: EventHub, report: Report, log: (line: string) => void = console.log): Promise<void> {
  const workMs = 20;
  const perCore = 1000 / workMs;
  const rows: Record<string, string>[] = [];
  for (const model of ['threads', 'processes', 'asyncio', 'node'] as const) {
    if (model !== 'node' && !pythonAvailable()) continue;
    if (model === 'processes' && process.platform === 'win32') continue;
    const server = await service.startServer(model, 0, workMs);
    const stats = new ServerStats(server.pid);
    let cpu: number | null = null;
    try {
      let started = false;
      const timer = setTimeout(() => stats.read(), 1000);
      const sample = setTimeout(() => (cpu = stats.read()?.cpu ?? null), 3000);
      const e = await runLoad(service, hub, { port: server.port, conns: 8, size: 16, durationMs: 4000, serverId: server.id }, () => (started = true));
      clearTimeout(timer);
      clearTimeout(sample);
      const r = e.report!;
      if (!started || !r) continue;
      report(`concurrency: ${model} model, ${workMs} ms of CPU per request, 8 connections`, r.rps, 'req/s', `one core (1000 / ${workMs} ms)`, perCore, true);
      rows.push({
        model,
        'req/s': r.rps.toLocaleString('en'),
        'server CPU %': cpu === null ? '—' : String(cpu),
        'p50 ms': String(r.latencyMs.p50),
        'p99 ms': String(r.latencyMs.p99),
      });
    } finally {
      service.stopServer(server.id);
    }
  }
  log(`concurrency: CPU work per request (--work-ms ${workMs}, 8 connections, 4 s; CPU % of one core over seconds 1–3)`);
  console.table(rows);
}

export async function benchConcurrency(report: Report, log: (line: string) => void = console.log): Promise<void> {
  const hub = new EventHub();
  const service = new ConcurrencyService(hub);
  const hard = fdLimit()?.hard ?? 1024;
  const big = Math.min(10_000, hard - 200);
  if (big < 10_000) log(`concurrency: RLIMIT_NOFILE hard limit ${hard}: the C10K figures use ${big} connections`);
  try {
    // ---- the generator against C, both loading a C epoll echo server --------------------------
    const cc = findExecutable('cc') ?? findExecutable('gcc');
    if (!cc || process.platform !== 'linux') log('concurrency: no C compiler (or not Linux): the C epoll baselines are not measured');
    else {
      const dir = mkdtempSync(join(tmpdir(), 'wirelab-bench-c-'));
      for (const name of ['epoll-echo', 'epoll-load']) execFileSync(cc, ['-O2', '-o', join(dir, name), join(here, 'c', `${name}.c`)]);
      const server = await startC(join(dir, 'epoll-echo'));
      try {
        for (const conns of [1, 100, big]) {
          // 5 s each, so connecting 10,000 (counted in Wirelab's time, not in C's) weighs little.
          const ours = await runLoad(service, hub, { port: server.port, conns, size: 64, durationMs: 5000 });
          const c = JSON.parse(spawnSync(join(dir, 'epoll-load'), [String(server.port), String(conns), '64', '5000'], { encoding: 'utf8' }).stdout) as {
            answered: number;
            seconds: number;
          };
          report(
            `concurrency: load generator, ${conns.toLocaleString('en')} connections, 64-byte echoes (goal ≥ 0.8×)`,
            ours.report!.rps,
            'req/s',
            'C epoll load client',
            c.answered / c.seconds,
            true,
          );
        }
      } finally {
        server.child.kill();
      }
    }

    // ---- each model at 1, 100 and 1,000 connections ----------------------------------------
    const table: Record<string, string>[] = [];
    for (const model of concurrencyModels) {
      if (model !== 'node' && !pythonAvailable()) continue;
      const row: Record<string, string> = { model };
      for (const conns of [1, 100, 1000]) {
        const server = await service.startServer(model);
        try {
          const e = await runLoad(service, hub, { port: server.port, conns, size: 64, durationMs: 2000, serverId: server.id });
          const r = e.report!;
          row[`${conns} req/s`] = r.rps.toLocaleString('en');
          // p99 and max: the blocking model's waiting clients show in max, not in p99.
          row[`${conns} p99 / max ms`] = `${r.latencyMs.p99} / ${r.latencyMs.max}${r.counts.failed ? ` (${r.counts.failed} failed)` : ''}`;
        } finally {
          service.stopServer(server.id);
        }
      }
      table.push(row);
    }
    log('concurrency: each model, 2 s runs of 64-byte echoes (blocking serves the first connection until the run ends)');
    console.table(table);

    await benchGil(service, hub, report, log);

    // ---- 10,000 connections held -------------------------------------------------------------
    const server = await service.startServer(pythonAvailable() ? 'selectors' : 'node');
    try {
      const rssBefore = process.memoryUsage().rss;
      let rssHeld = 0;
      let heldAt: number | null = null;
      let id = '';
      const done = runLoad(service, hub, { port: server.port, conns: big, size: 16, durationMs: 20_000, rate: 1000, serverId: server.id }, (e) => {
        id = e.id;
        if (e.report && e.report.counts.connections.open === big && heldAt === null) {
          heldAt = e.report.connectedMs ?? e.report.elapsedMs;
          rssHeld = process.memoryUsage().rss;
          service.stopLoad(id);
        }
      });
      const e = await done;
      log(
        `concurrency: ${big.toLocaleString('en')} connections to the ${server.model} model established in ${heldAt ?? '?'} ms (${e.report!.counts.connections.failed} failed); Wirelab's RSS ${(rssBefore / 2 ** 20).toFixed(0)} MiB before, ${(rssHeld / 2 ** 20).toFixed(0)} MiB while held`,
      );
      report(
        `concurrency: RSS of Wirelab holding ${big.toLocaleString('en')} connections`,
        rssHeld / 2 ** 20,
        'MiB',
        'before the run',
        rssBefore / 2 ** 20,
        false,
      );
    } finally {
      service.stopServer(server.id);
    }
  } finally {
    await service.dispose();
  }
}

if (process.argv.slice(1).some((a) => a.endsWith('bench/concurrency.ts'))) {
  const print: Report = (figure, value, unit, baselineName, baseline, higher) => {
    const ratio = higher ? value / baseline : baseline / value;
    console.log(
      `${figure}: ${Math.round(value).toLocaleString('en')} ${unit} | ${baselineName}: ${Math.round(baseline).toLocaleString('en')} ${unit} | ratio ${ratio.toFixed(2)}×`,
    );
  };
  if (process.argv.includes('--gil')) {
    const hub = new EventHub();
    const service = new ConcurrencyService(hub);
    try {
      await benchGil(service, hub, print);
    } finally {
      await service.dispose();
    }
  } else await benchConcurrency(print);
}
