/**
 * Process-monitor figures for `npm run bench` (also alone: node bin/run-ts.mjs bench/processes.ts):
 * one full sample with about 1,000 processes against systeminformation's processes() and ps(1);
 * the cost of sampling once a second; how long the main loop is blocked while it samples.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import si from 'systeminformation';
import { EventHub } from '../electron/core/event-hub.ts';
import { ProcessSampler } from '../electron/services/processes/process-sampler.ts';
import { ProcessService } from '../electron/services/processes/process-service.ts';
import { procSupported } from '../electron/services/processes/proc-reader.ts';

export type Report = (figure: string, value: number, unit: string, baselineName: string, baseline: number, higherIsBetter: boolean) => void;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const count = () => readdirSync('/proc').filter((d) => /^\d+$/.test(d)).length;

/** Tops the machine up to about `target` processes with idle `sleep`s, ended afterwards. */
async function populate(target: number): Promise<ChildProcess | null> {
  const missing = target - count();
  if (missing <= 0) return null;
  const group = spawn('/bin/sh', ['-c', `i=0; while [ $i -lt ${missing} ]; do sleep 300 & i=$((i+1)); done; wait`], { detached: true, stdio: 'ignore' });
  for (let i = 0; i < 100 && count() < target - 5; i++) await sleep(50);
  return group;
}

export async function benchProcesses(report: Report, log: (line: string) => void = console.log): Promise<void> {
  if (!procSupported()) return log('processes: /proc is not available here; not measured');
  const group = await populate(1000);
  try {
    const n = count();
    log(`processes: ${n} processes on this machine for the sample`);
    // A full sample as the panel's first one: stat, status and cmdline of every pid (a fresh sampler each time).
    const ours = median(
      [0, 1, 2, 3, 4].map(() => {
        const t0 = performance.now();
        new ProcessSampler().sample();
        return performance.now() - t0;
      }),
    );
    const steadySampler = new ProcessSampler();
    steadySampler.sample();
    const steady = median([0, 1, 2, 3, 4].map(() => steadySampler.sample().tookMs));
    const sys: number[] = [];
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      await si.processes();
      sys.push(performance.now() - t0);
      await sleep(600); // systeminformation serves a cached result within 500 ms of its last call
    }
    const ps = median(
      [0, 1, 2, 3, 4].map(() => {
        const t0 = performance.now();
        execFileSync('ps', ['-eo', 'pid,ppid,stat,nlwp,pcpu,rss,comm'], { encoding: 'utf8' })
          .trim()
          .split('\n')
          .slice(1)
          .map((l) => l.trim().split(/\s+/));
        return performance.now() - t0;
      }),
    );
    report(`processes: one full sample of ${n} processes (goal ≥ 10× systeminformation)`, ours, 'ms', 'systeminformation processes()', median(sys), false);
    report(`processes: one full sample of ${n} processes (goal: faster than ps)`, ours, 'ms', 'ps -eo pid,ppid,stat,nlwp,pcpu,rss,comm + parse', ps, false);
    report(`processes: steady-state sample (stat only for pids already known)`, steady, 'ms', 'ps -eo … + parse', ps, false);

    // Sampling once a second on the worker thread: the share of a core that thread is busy
    // (its event-loop utilization: all of its work is the sampling), and the main thread's share.
    const service = new ProcessService(new EventHub());
    service.configure(true, 1000);
    await sleep(1500);
    const start = service.workerUtilization()!;
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    await sleep(10_000);
    delay.disable();
    const elu = service.workerUtilization(start)!;
    const mainMs = [...service.mainThreadMs];
    await service.dispose();
    const pct = elu.utilization * 100;
    log(
      `processes: sampler thread busy ${pct.toFixed(2)}% of 10 s; main-thread event-loop delay p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms, max ${(delay.max / 1e6).toFixed(1)} ms (this machine's own jitter included)`,
    );
    report(
      `processes: sampling ${n} processes once a second, % of one core (goal ≤ 2%)`,
      pct,
      '%',
      'ps once a second (its run time per second)',
      (ps / 1000) * 100,
      false,
    );
    report(
      'processes: main thread busy per sample, max (JSON.parse + publish; goal ≤ 10 ms)',
      Math.max(...mainMs),
      'ms',
      'one sample on the main thread',
      steady,
      false,
    );
  } finally {
    if (group?.pid) {
      try {
        process.kill(-group.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
}

if (process.argv.slice(1).some((a) => a.endsWith('bench/processes.ts'))) {
  await benchProcesses((figure, value, unit, baselineName, baseline, higher) => {
    const ratio = higher ? value / baseline : baseline / value;
    console.log(`${figure}: ${value.toFixed(2)} ${unit} | ${baselineName}: ${baseline.toFixed(2)} ${unit} | ratio ${ratio.toFixed(2)}×`);
  });
}
