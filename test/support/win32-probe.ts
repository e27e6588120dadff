/**
 * Run by Windows Node under Wine (win32-route.wine.test.ts bundles it with esbuild, koffi left
 * external): exercises the Windows route against processes and sockets of known shape it starts
 * itself, and prints one JSON object of what it saw. Node under Wine needs its stdio as files, so
 * the child it starts talks through files in the folder given as argv[2].
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import type { KernelState } from '../../shared/contract/timeline.ts';
import type { ProcessSampleData } from '../../shared/contract/processes.ts';
import { EventHub } from '../../electron/core/event-hub.ts';
import { ProcessService } from '../../electron/services/processes/process-service.ts';
import { createSampler, samplerRoute } from '../../electron/services/processes/process-sampler.ts';
import { readTcpStatesWin32, signalWin32 } from '../../electron/services/processes/win32-route.ts';
import { KernelStateWatcher, tcpTableRoute } from '../../electron/services/timeline/kernel-states.ts';

const dir = process.argv[2]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(what: string, get: () => T | null | undefined | false, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
const errorOf = (f: () => unknown) => {
  try {
    f();
    return null;
  } catch (e) {
    return { code: (e as { code?: string }).code ?? null, message: (e as Error).message };
  }
};

async function main() {
  const t0 = Date.now();
  const phases: Record<string, number> = {};
  const mark = (name: string) => (phases[name] = Date.now() - t0);
  const out: Record<string, unknown> = { phases, platform: process.platform, selfPid: process.pid, route: samplerRoute(), tcpRoute: tcpTableRoute() };

  // A Windows node child: 4 worker threads, a listener, and a heartbeat file it rewrites every 50 ms.
  const childJs = join(dir, 'child.cjs');
  writeFileSync(
    childJs,
    `const { Worker } = require('worker_threads'); const fs = require('fs'); const net = require('net');
for (let i = 0; i < 4; i++) new Worker('setInterval(() => {}, 1000)', { eval: true });
const dir = process.argv[2]; let n = 0;
const srv = net.createServer().listen(0, '127.0.0.1', () => fs.writeFileSync(dir + '/port', String(srv.address().port)));
setInterval(() => fs.writeFileSync(dir + '/beat', String(++n)), 50);`,
  );
  const child = spawn(process.execPath, [childJs, dir, 'wirelab-probe-child'], { stdio: 'ignore' });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const port = Number(await until('the child listening', () => existsSync(join(dir, 'port')) && readFileSync(join(dir, 'port'), 'utf8')));
  const beat = () => Number(readFileSync(join(dir, 'beat'), 'utf8') || 0);
  await until('the first heartbeat', () => existsSync(join(dir, 'beat')));
  mark('child ready');
  out.childPid = child.pid;
  out.port = port;

  const sampler = createSampler();
  const tooks: number[] = [];
  let sample = sampler.sample();
  for (let i = 0; i < 5; i++) {
    await sleep(250);
    sample = sampler.sample();
    tooks.push(sample.tookMs);
  }
  out.tookMs = tooks;
  out.processCount = sample.processes.length;
  const rowOf2 = (s: typeof sample, pid: number) => s.processes.find((p) => p.pid === pid) ?? null;
  const rowOf = (s: typeof sample) => rowOf2(s, child.pid!);
  out.childRow = rowOf(sample);
  out.selfRow = sample.processes.find((p) => p.pid === process.pid) ?? null;
  sampler.threads(child.pid!);
  await sleep(300);
  out.threads = sampler.threads(child.pid!);

  mark('sampled');
  // CPU % from CPU times: a child spinning for 4 s reads most of a core, in the process and in its one busy thread.
  const busy = spawn(process.execPath, ['-e', 'const e = Date.now() + 4000; while (Date.now() < e);'], { stdio: 'ignore' });
  await sleep(500);
  sampler.sample();
  sampler.threads(busy.pid!);
  await sleep(1500);
  out.busyCpu = rowOf2(sampler.sample(), busy.pid!)?.cpu ?? null;
  out.busyThreadCpu = Math.max(...(sampler.threads(busy.pid!) ?? []).map((t) => t.cpu));
  out.idleCpu = rowOf(sampler.sample())?.cpu ?? null;
  busy.kill();

  mark('cpu');
  // What one look at the owner-less TCP tables costs (the timeline's watcher, every 20 ms).
  out.tcpStatesMs = Array.from({ length: 5 }, () => {
    const t = performance.now();
    readTcpStatesWin32();
    return performance.now() - t;
  });

  // Stop: the heartbeat must stand still while suspended, and the state say so; Continue restarts it.
  out.stop = signalWin32(child.pid!, 'SIGSTOP');
  await sleep(300);
  const frozenAt = beat();
  await sleep(700);
  out.beatWhileStopped = beat() - frozenAt;
  out.stateStopped = rowOf(sampler.sample())?.state ?? null;
  out.threadStatesStopped = (sampler.threads(child.pid!) ?? []).map((t) => t.state);
  out.cont = signalWin32(child.pid!, 'SIGCONT');
  const resumedAt = beat();
  // Bounded wait for the next heartbeat: on a loaded machine a resumed child may take a while to run.
  out.beatAfterContinue = await until('a heartbeat after Continue', () => beat() > resumedAt, 15_000).then(
    () => beat() - resumedAt,
    () => 0,
  );
  out.stateContinued = rowOf(sampler.sample())?.state ?? null;

  mark('stop/continue');
  // A connection of the probe's own, open through the service's part (its owner is checked in the
  // service's socket list) and then followed to TIME_WAIT by the timeline's watcher.
  const states: KernelState[] = [];
  const srv = createServer((s) => s.on('end', () => s.end()));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const client: Socket = connect((srv.address() as AddressInfo).port, '127.0.0.1');
  await new Promise((r) => client.once('connect', r));

  // The process monitor as the panel drives it: the sampler on its worker thread, details and
  // sockets from there, signals on the main thread — and its cost at 1 Hz (the worker's busy share).
  const hub = new EventHub();
  const service = new ProcessService(hub);
  const samples: ProcessSampleData[] = [];
  hub.on('processes.sample', (x) => samples.push(x));
  out.serviceConfigure = service.configure(true, 1000);
  const inSample = (pid: number, ok: (state: string) => boolean) =>
    until(`pid ${pid} in a published sample`, () => samples.some((x) => x.processes.some((p) => p.pid === pid && ok(p.state))), 30_000);
  await inSample(child.pid!, () => true);
  const elu0 = service.workerUtilization()!;
  const n0 = samples.length;
  await sleep(5000);
  out.serviceSamplesIn5s = samples.length - n0;
  out.serviceWorkerUtilization = service.workerUtilization(elu0)!.utilization;
  out.serviceRow = samples.at(-1)!.processes.find((p) => p.pid === child.pid) ?? null;
  out.serviceDetails = await service.details(child.pid!);
  // One owner lookup for both: under Wine it scans the host's processes and can take seconds.
  const serviceSockets = await service.sockets();
  out.serviceListener = serviceSockets.filter((x) => x.local === `127.0.0.1:${port}`);
  // Wine fills the owner of a connected socket (not of a listener): the live owner join.
  out.clientSocket = serviceSockets.find((x) => x.local === `127.0.0.1:${client.localPort}`) ?? null;
  service.configure(true, 250);
  out.serviceStop = service.signal(child.pid!, 'SIGSTOP');
  await inSample(child.pid!, (st) => st === 'T').then(
    () => (out.serviceSawStopped = true),
    () => (out.serviceSawStopped = false),
  );
  out.serviceCont = service.signal(child.pid!, 'SIGCONT');
  await inSample(child.pid!, (st) => st !== 'T').then(
    () => (out.serviceSawContinued = true),
    () => (out.serviceSawContinued = false),
  );
  out.serviceGoneDetails = await service.details(999_999);
  await service.dispose();

  mark('service');
  // Kernel states of that connection from the TCP tables, the client closing first.
  const watcher = new KernelStateWatcher((k) => states.push(k), 10, 'win32');
  watcher.track(`127.0.0.1:${client.localPort}`, `127.0.0.1:${client.remotePort}`);
  watcher.start();
  await until('ESTABLISHED in the table', () => states.some((k) => k.state === 'ESTABLISHED' && k.side === 'client'), 10_000).catch(() => null);
  client.end();
  await until('TIME_WAIT in the table', () => states.some((k) => k.state === 'TIME_WAIT'), 10_000).catch(() => null);
  watcher.stop();
  client.destroy();
  srv.close();
  out.kernelStates = states.map((k) => ({ side: k.side, state: k.state, timerSec: k.timerSec }));

  mark('kernel states');
  // Terminate, then the pid has gone from the next sample and a second Terminate says it has exited.
  out.term = signalWin32(child.pid!, 'SIGTERM');
  out.exitCode = await Promise.race([exited, sleep(30_000).then(() => 'timeout')]);
  await sleep(200);
  out.goneAfterTerminate = rowOf(sampler.sample()) === null;
  out.terminateGone = errorOf(() => signalWin32(child.pid!, 'SIGTERM'));
  sampler.close();
  mark('terminate');
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    process.stdout.write(JSON.stringify({ error: e.stack ?? String(e) }) + '\n');
    process.exit(1);
  },
);
