import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { connect, createServer, type AddressInfo } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concurrencyModels, type ConcurrencyModel } from '../../../shared/concurrency/models.ts';
import type { ConcurrencyEvent, LoadStart, ServerInfo } from '../../../shared/contract/concurrency.ts';
import { runNode, startNode, stop, wirelabBin } from '../../../test/support/spawn-cli.ts';
import { EventHub } from '../../core/event-hub.ts';
import { findExecutable } from '../find-executable.ts';
import { ConcurrencyService } from './concurrency-service.ts';
import { fdLimit } from './fd-limit.ts';
import { ServerStats } from './server-stats.ts';
import { parseStat } from '../../../shared/processes/proc-parse.ts';
import { readProcText, systemInfo } from '../processes/proc-reader.ts';

/**
 * Real servers (python3 and node child processes) on 127.0.0.1, loaded by the real worker
 * thread in this test's process. The 10,000-connection tests need RLIMIT_NOFILE ≥ 10,064 in
 * this process and the server's: Node raises its soft limit to the hard one at start, the
 * Python servers do it themselves, so the hard limit decides — below it, the largest count that
 * fits is used and printed.
 */
type LoadEvent = Extract<ConcurrencyEvent, { kind: 'load' }>;
let hub: EventHub;
let service: ConcurrencyService;
const events: ConcurrencyEvent[] = [];

beforeAll(() => {
  hub = new EventHub();
  service = new ConcurrencyService(hub);
  hub.on('concurrency.event', (e) => events.push(e));
});
afterAll(async () => {
  await service.dispose();
});

/** Resolves with the first event (already seen or to come) that `find` accepts, bounded in time. */
function waitFor<T>(find: (e: ConcurrencyEvent) => T | null | undefined | false, timeoutMs = 30_000): Promise<T> {
  for (const e of events) {
    const r = find(e);
    if (r) return Promise.resolve(r);
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no such concurrency event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = hub.on('concurrency.event', (e) => {
      const r = find(e);
      if (r) {
        clearTimeout(timer);
        off();
        resolve(r);
      }
    });
  });
}

const ended = (id: string) => waitFor((e) => e.kind === 'load' && e.id === id && e.state !== 'running' && e);

function load(server: ServerInfo, o: Partial<LoadStart>): string {
  return service.startLoad({ host: '127.0.0.1', port: server.port, conns: 1, size: 64, timeoutMs: 10_000, serverId: server.id, ...o } as LoadStart).id;
}

function expectCountsAddUp(e: LoadEvent): void {
  const c = e.report!.counts;
  expect(c.inFlight).toBe(0);
  expect(c.sent).toBe(c.answered + c.failed);
}

/** One line through a raw socket: the model echoes exactly what it was sent. */
async function echoOnce(port: number, line: string): Promise<string> {
  const s = connect(port, '127.0.0.1');
  s.write(line);
  let got = '';
  for await (const chunk of s) {
    got += String(chunk);
    if (got.length >= line.length) break;
  }
  s.destroy();
  return got;
}

/** The machine's idle CPU time so far, in seconds over all cores (/proc/stat's idle + iowait, proc(5)). */
function idleSeconds(): number {
  const cpu = /^cpu\s+(.*)$/m.exec(readFileSync('/proc/stat', 'utf8'))![1]!.split(/\s+/).map(Number);
  return (cpu[3]! + cpu[4]!) / systemInfo().clkTck;
}

/** How many of a server's tasks (threads of it and its descendants) are running or ready to run now (state R). */
function runnableTasks(root: number): number {
  const parents = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const s = parseStat(readProcText(`/proc/${d}/stat`) ?? '');
    if (s) parents.set(s.pid, s.ppid);
  }
  const inTree = (pid: number): boolean => {
    for (let p: number | undefined = pid, hops = 0; p !== undefined && p > 1 && hops < 64; p = parents.get(p), hops++) if (p === root) return true;
    return false;
  };
  let running = 0;
  for (const pid of parents.keys()) {
    if (!inTree(pid)) continue;
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // gone meanwhile
    }
    for (const tid of tasks) if (parseStat(readProcText(`/proc/${pid}/task/${tid}/stat`) ?? '')?.state === 'R') running++;
  }
  return running;
}

const python = findExecutable('python3') !== null;
const hardLimit = fdLimit()?.hard ?? 1024;
/** 10,000 where the hard limit allows (the test's process and the server's each need one fd per connection). */
const c10k = Math.min(10_000, hardLimit - 200);

describe('the concurrency lab', () => {
  it.each(concurrencyModels.filter((m) => python || m === 'node'))(
    'the %s model echoes real requests over 4 connections',
    async (model: ConcurrencyModel) => {
      const server = await service.startServer(model);
      expect(server).toMatchObject({ model, state: 'running' });
      expect(server.port).toBeGreaterThan(0);
      expect(await echoOnce(server.port, 'ni hao 你好\n')).toBe('ni hao 你好\n');
      const e = await ended(load(server, { conns: 4, size: 100, count: 200 }));
      expect(e).toMatchObject({ state: 'done', error: null });
      expect(e.report!.counts).toMatchObject({ sent: 200, answered: 200, failed: 0, connections: { wanted: 4, established: 4, failed: 0 } });
      expect(e.report!.latencyMs.max).toBeGreaterThan(0);
      expect(service.stopServer(server.id)).toBe(true);
      await waitFor((ev) => ev.kind === 'server' && ev.server.id === server.id && ev.server.state === 'exited');
    },
    30_000,
  );

  it.runIf(python && hardLimit > 1300)(
    'select stops at FD_SETSIZE with a named error and keeps serving the connections below it',
    async () => {
      const server = await service.startServer('select');
      const id = load(server, { conns: 1100, durationMs: 1500 });
      const error = await waitFor((e) => e.kind === 'server' && e.server.id === server.id && e.server.error);
      expect(error.code).toBe('FD_SETSIZE');
      expect(error.message).toMatch(/FD_SETSIZE is 1024/);
      const e = await ended(id);
      expectCountsAddUp(e);
      // The ones past 1024 were closed by the server; the others were answered throughout.
      expect(e.report!.counts.answered).toBeGreaterThan(1000);
      expect((e.report!.counts.errors.CLOSED ?? 0) + (e.report!.counts.errors.ECONNRESET ?? 0)).toBeGreaterThan(0);
      service.stopServer(server.id);
    },
    30_000,
  );

  it.each(['selectors', 'node'] as const)(
    `the %s model holds ${c10k} connections at once (C10K)`,
    async (model) => {
      if (model !== 'node' && !python) return;
      if (c10k < 10_000) console.log(`RLIMIT_NOFILE hard limit ${hardLimit}: holding ${c10k} connections instead of 10,000`);
      const server = await service.startServer(model);
      // Paced to 2,000 requests/s overall: the point is holding the connections, not throughput.
      const id = load(server, { conns: c10k, size: 16, durationMs: 20_000, rate: 2000, timeoutMs: 15_000 });
      const held = await waitFor((e) => e.kind === 'load' && e.id === id && e.report && e.report.counts.connections.open === c10k && e.report, 25_000);
      expect(held.counts.connections.failed).toBe(0);
      expect(service.stopLoad(id)).toBe(true);
      const e = await ended(id);
      expect(e.state).toBe('stopped');
      expectCountsAddUp(e);
      expect(e.report!.counts.connections.established).toBe(c10k);
      expect(e.report!.counts.failed).toBe(0);
      expect(e.report!.connectedMs).not.toBeNull();
      service.stopServer(server.id);
    },
    45_000,
  );

  it.each(python ? (['asyncio', 'node'] as const) : (['node'] as const))(
    'the %s model started with 40 ms of CPU work per request answers no request sooner than that',
    async (model) => {
      const server = await service.startServer(model, 0, 40);
      expect(server.workMs).toBe(40);
      const e = await ended(load(server, { conns: 1, size: 32, count: 5 }));
      expect(e).toMatchObject({ state: 'done', error: null, report: { counts: { answered: 5, failed: 0 } } });
      // 40 ms of CPU time take at least 40 ms of wall time (more on a busy machine); without the work an echo takes well under 1 ms.
      expect(e.report!.latencyMs.p50).toBeGreaterThanOrEqual(38);
      service.stopServer(server.id);
    },
    30_000,
  );

  it('CPU work per request above limits.loadWorkMs is refused before anything starts', () => {
    expect(() => service.startServer('node', 0, 5000)).toThrow(/workMs: at most 1,000 ms of CPU work per request \(limit loadWorkMs\)/);
  });

  /**
   * The GIL lesson, measured: 8 connections, each request 20 ms of pure-Python CPU. The threaded
   * server's threads take turns holding the GIL, so it stays near one core (100%); the forking
   * server's 8 children each have their own GIL and use every core. CPU is read from /proc (the
   * same ServerStats the service samples) from 1 s into the run (the children forked) to 3 s.
   * On an idle 2-core machine that is ~100% against ~200%. On a busy one the kernel's autogroup
   * scheduling gives each server's session (the servers run setsid) a fair share, which can
   * hold both far below 100%: there the GIL's cap (≤ 130%, ≤ one core's 50 requests/s) and the
   * children computing at once (state R in /proc/PID/task/TID/stat: ~8 ready to run) are
   * asserted, and the 150% only when the machine left at least 0.6 of a core idle beside the
   * threaded server. The figures are printed either way.
   */
  it.runIf(python && process.platform === 'linux' && availableParallelism() >= 2)(
    'with 20 ms of CPU work per request, the GIL holds the threads model near one core while the processes model uses more',
    async () => {
      const measure = async (model: 'threads' | 'processes') => {
        const server = await service.startServer(model, 0, 20);
        const stats = new ServerStats(server.pid);
        try {
          const id = load(server, { conns: 8, size: 16, durationMs: 3500 });
          await waitFor((e) => e.kind === 'load' && e.id === id && (e.report?.elapsedMs ?? 0) >= 1000);
          stats.read();
          const idleBefore = idleSeconds();
          const startedAt = Date.now();
          const runnable: number[] = [];
          while (Date.now() - startedAt < 2000) {
            runnable.push(runnableTasks(server.pid));
            await sleep(50);
          }
          const window = stats.read()!;
          const idleCores = (idleSeconds() - idleBefore) / ((Date.now() - startedAt) / 1000);
          const e = await ended(id);
          expect(e.state).toBe('done');
          expectCountsAddUp(e);
          const mean = runnable.reduce((x, y) => x + y, 0) / runnable.length;
          return {
            cpu: window.cpu,
            processes: window.processes,
            threads: window.threads,
            runnable: Math.round(mean * 10) / 10,
            idle: Math.round(idleCores * 100),
            rps: e.report!.rps,
            p50: e.report!.latencyMs.p50,
          };
        } finally {
          service.stopServer(server.id);
        }
      };
      const threads = await measure('threads');
      const processes = await measure('processes');
      const line = (m: typeof threads) => `${m.cpu}% CPU, ${m.runnable} tasks runnable on average, machine idle ${m.idle}% (${m.rps} req/s, p50 ${m.p50} ms)`;
      console.log(
        `--work-ms 20, 8 connections on ${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(1)}: threads ${line(threads)}; processes ${line(processes)}`,
      );
      expect(threads.threads).toBeGreaterThanOrEqual(9); // a thread per connection, and the accepting one
      expect(processes.processes).toBeGreaterThanOrEqual(9); // a child per connection, and the parent
      // Each request costs its 20 ms of CPU (an echo alone takes well under 1 ms).
      expect(threads.p50).toBeGreaterThanOrEqual(19);
      expect(processes.p50).toBeGreaterThanOrEqual(19);
      // The GIL: one thread at a time runs Python, so at most about one core, whatever the load —
      // and one core's worth of requests, 1000 / 20 = 50 a second, with margin.
      expect(threads.cpu).toBeGreaterThan(0);
      expect(threads.cpu).toBeLessThanOrEqual(130);
      expect(threads.rps).toBeLessThanOrEqual(65);
      // A GIL per process: the children compute at once (all 8 ready to run; an echo-only server's
      // children mostly wait in recv)…
      expect(processes.runnable).toBeGreaterThanOrEqual(5);
      // …and past one core where the machine has one to spare.
      if (threads.idle >= 60) {
        expect(processes.cpu).toBeGreaterThanOrEqual(150);
        expect(processes.cpu).toBeGreaterThanOrEqual(threads.cpu * 1.3);
      } else
        console.log(
          `the machine left ${threads.idle}% of a core idle beside the threaded server: too busy to show the processes model past 150%; its ${processes.cpu}% not asserted`,
        );
    },
    30_000,
  );

  it('a server killed mid-run ends the load with SERVER_EXITED, its partial results kept and added up', async () => {
    const server = await service.startServer('node');
    const id = load(server, { conns: 20, durationMs: 20_000 });
    await waitFor((e) => e.kind === 'load' && e.id === id && (e.report?.counts.answered ?? 0) > 100);
    process.kill(server.pid, 'SIGKILL');
    const e = await ended(id);
    expect(e.state).toBe('error');
    expect(e.error!.code).toBe('SERVER_EXITED');
    expectCountsAddUp(e);
    expect(e.report!.counts.answered).toBeGreaterThan(100);
    expect(e.report!.elapsedMs).toBeLessThan(15_000);
    const exited = await waitFor((ev) => ev.kind === 'server' && ev.server.id === server.id && ev.server.state === 'exited' && ev.server);
    expect(exited.error!.code).toBe('SERVER_EXITED');
  }, 30_000);

  it("a server that accepts but never answers: each connection's request fails with TIMEOUT, counted once", async () => {
    const silent = createServer((sock) => sock.on('data', () => {})).listen(0, '127.0.0.1');
    await once(silent, 'listening');
    try {
      const { id } = service.startLoad({ host: '127.0.0.1', port: (silent.address() as AddressInfo).port, conns: 3, size: 8, count: 100, timeoutMs: 300 });
      const e = await ended(id);
      expect(e).toMatchObject({ state: 'error', error: { code: 'TIMEOUT' } });
      expect(e.report!.counts).toMatchObject({ sent: 3, answered: 0, failed: 3, errors: { TIMEOUT: 3 }, connections: { established: 3 } });
      expectCountsAddUp(e);
    } finally {
      silent.close();
    }
  });

  it('nobody listening: every connection counts one ECONNREFUSED, and the run says so', async () => {
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const { id } = service.startLoad({ host: '127.0.0.1', port, conns: 5, size: 8, count: 50, timeoutMs: 5000 });
    const e = await ended(id);
    expect(e).toMatchObject({ state: 'error', error: { code: 'ECONNREFUSED' } });
    expect(e.report!.counts).toMatchObject({ sent: 5, answered: 0, failed: 5, errors: { ECONNREFUSED: 5 }, connections: { established: 0, failed: 5 } });
  });
});

describe('wirelab lab and wirelab load', () => {
  it('lab prints {"event":"listening","port"} first; load --json prints exactly its keys; Ctrl+C ends the server too', async () => {
    const model = python ? 'asyncio' : 'node';
    const lab = await startNode([wirelabBin, 'lab', model, '--json'], /"listening"/);
    try {
      const first = JSON.parse(lab.output().split('\n')[0]!) as { event: string; port: number };
      expect(Object.keys(first)).toEqual(['event', 'port']);
      expect(first.event).toBe('listening');
      const run = await runNode(
        [wirelabBin, 'load', 'tcp', '127.0.0.1', String(first.port), '--conns', '10', '--size', '32', '--count', '500', '--json'],
        30_000,
      );
      expect(run.code).toBe(0);
      const doc = JSON.parse(run.stdout) as Record<string, unknown>;
      expect(Object.keys(doc)).toEqual(['connections', 'failed', 'requests', 'rps', 'latencyMs', 'errors']);
      expect(doc).toMatchObject({ connections: 10, failed: 0, requests: 500, errors: {} });
      expect(Object.keys(doc.latencyMs as object)).toEqual(['p50', 'p90', 'p99', 'max']);
      await stop(lab.child);
      // The model server went with it (its process group).
      const refused = await runNode(
        [wirelabBin, 'load', 'tcp', '127.0.0.1', String(first.port), '--conns', '2', '--size', '8', '--count', '2', '--json'],
        30_000,
      );
      expect(refused.code).toBe(1);
      expect(JSON.parse(refused.stdout)).toMatchObject({ failed: 2, requests: 0, errors: { ECONNREFUSED: 2 } });
      expect(refused.stderr).toMatch(/ECONNREFUSED/);
    } finally {
      await stop(lab.child);
    }
  }, 60_000);

  it('lab --work-ms N: every request costs the server N ms of CPU; over the limit it is refused with the limit named', async () => {
    const refused = await runNode([wirelabBin, 'lab', 'node', '--work-ms', '1001', '--json'], 30_000);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--work-ms: at most 1,000 ms of CPU work per request \(limit loadWorkMs\)/);
    const lab = await startNode([wirelabBin, 'lab', 'node', '--work-ms', '40', '--json'], /"listening"/);
    try {
      const { port } = JSON.parse(lab.output().split('\n')[0]!) as { port: number };
      const run = await runNode([wirelabBin, 'load', 'tcp', '127.0.0.1', String(port), '--conns', '1', '--size', '16', '--count', '4', '--json'], 30_000);
      expect(run.code).toBe(0);
      const doc = JSON.parse(run.stdout) as { requests: number; latencyMs: { p50: number } };
      expect(doc.requests).toBe(4);
      expect(doc.latencyMs.p50).toBeGreaterThanOrEqual(38);
    } finally {
      await stop(lab.child);
    }
  }, 60_000);

  it.runIf(findExecutable('prlimit') !== null)(
    'more connections than the open-file limit: FD_LIMIT names the limit and how to raise it',
    async () => {
      const child = spawn(
        'prlimit',
        ['--nofile=512:512', '--', process.execPath, wirelabBin, 'load', 'tcp', '127.0.0.1', '9', '--conns', '1000', '--size', '8', '--count', '10', '--json'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += String(c)));
      const [code] = (await once(child, 'exit')) as [number];
      expect(code).toBe(1);
      expect(stderr).toMatch(/FD_LIMIT: conns: 1000 connections need about 1064 file descriptors, but this process may open 512/);
      expect(stderr).toMatch(/ulimit -n 1064/);
    },
    30_000,
  );

  it.runIf(python)(
    'without python3 on PATH, a Python model is refused with NO_PYTHON',
    async () => {
      const run = await runNode([wirelabBin, 'lab', 'selectors', '--json'], 30_000, { ...process.env, PATH: '/nonexistent' });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/python3 is not installed here; the node model runs without it/);
    },
    30_000,
  );
});
