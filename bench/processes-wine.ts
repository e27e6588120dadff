/**
 * The Windows process sampler's cost under Wine at 1 Hz (issue 14's goal: ≤ 2% of a core), for
 * `npm run bench` (also alone: node bin/run-ts.mjs bench/processes-wine.ts [seconds]). In one run,
 * at the same time for the same window (60 s by default):
 * - node.exe under Wine sampling on the Win32 route (bench/win32-sampler-cost.ts "sample"),
 * - node.exe under Wine doing nothing ("idle": what node.exe under Wine costs by itself),
 * - this process's ProcessService on the /proc route, the baseline.
 * Figures: the sampler thread's busy share (its event-loop utilization: all its work is the
 * sampling) on each route, and node.exe's CPU with sampling minus idle node.exe's. Wine's
 * wineserver answers some of the Win32 calls in a process of its own, shared by every Wine
 * process here, so its CPU over the window is printed too, not charged to the sampler.
 * Skips, saying why, without wine64.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventHub } from '../electron/core/event-hub.ts';
import { ProcessService } from '../electron/services/processes/process-service.ts';
import { procSupported } from '../electron/services/processes/proc-reader.ts';
import { bundleForWindows, prepareWine, runWindowsNode } from '../test/support/wine.ts';
import type { Report } from './processes.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Debian's wine64 runs `wineserver64`. */
const wineservers = ['wineserver', 'wineserver64'];

interface Cost {
  error?: string;
  route: string;
  wallMs: number;
  samples: number;
  processes: number;
  workerBusy: number | null;
  cpuMs: number;
}

/** Clock ticks of user + system time of every process whose name is one of `comms` (/proc/PID/stat fields 14, 15). */
function ticksOf(comms: string[]): number {
  let sum = 0;
  for (const d of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      if (!comms.includes(stat.slice(stat.indexOf('(') + 1, close))) continue;
      const f = stat.slice(close + 2).split(' ');
      sum += Number(f[11]) + Number(f[12]);
    } catch {
      // gone between the listing and the read
    }
  }
  return sum;
}

export async function benchProcessesWine(report: Report, log: (line: string) => void = console.log, seconds = 60): Promise<void> {
  if (!procSupported()) return log('processes under Wine: no /proc for the baseline here; not measured');
  const kit = prepareWine(repo);
  if ('missing' in kit) return log(`processes under Wine: not measured: ${kit.missing}`);
  const out = bundleForWindows(repo, kit, {
    'win32-sampler-cost': join(repo, 'bench/win32-sampler-cost.ts'),
    'sampler-worker': join(repo, 'electron/services/processes/sampler-worker.ts'),
  });
  try {
    const script = join(out, 'win32-sampler-cost.js');
    const bound = (seconds + 120) * 1000;
    const wineserver0 = ticksOf(wineservers);
    const windows = Promise.all([
      runWindowsNode(kit, script, ['sample', String(seconds)], bound),
      runWindowsNode(kit, script, ['idle', String(seconds)], bound),
    ]);
    // The /proc route in this process over the same window (started as node.exe's wait begins).
    const service = new ProcessService(new EventHub());
    service.configure(true, 1000);
    await sleep(1500);
    const elu0 = service.workerUtilization()!;
    await sleep(seconds * 1000);
    const linuxBusy = service.workerUtilization(elu0)!.utilization;
    await service.dispose();
    const [sample, idle] = (await windows).map((r) => {
      const last = r.stdout.trim().split('\n').at(-1) ?? '';
      if (!last.startsWith('{')) throw new Error(`node.exe printed no result (exit ${r.code}): ${r.stderr.slice(0, 1000)}`);
      const c = JSON.parse(last) as Cost;
      if (c.error) throw new Error(`node.exe failed under Wine: ${c.error}`);
      return c;
    }) as [Cost, Cost];
    const wineserverPct = ((ticksOf(wineservers) - wineserver0) / 100 / ((sample.wallMs + 1500) / 1000)) * 100;
    const winBusy = (sample.workerBusy ?? 0) * 100;
    const extraPct = ((sample.cpuMs - idle.cpuMs) / sample.wallMs) * 100;
    log(
      `processes under Wine: ${sample.samples} samples of ${sample.processes} processes in ${(sample.wallMs / 1000).toFixed(0)} s on the ${sample.route} route; node.exe CPU ${((sample.cpuMs / sample.wallMs) * 100).toFixed(2)}% sampling vs ${((idle.cpuMs / idle.wallMs) * 100).toFixed(2)}% idle; wineserver (shared by all Wine processes) ${wineserverPct.toFixed(2)}% of a core over the window`,
    );
    report(
      `processes: Win32 route under Wine, sampler thread at 1 Hz over ${seconds} s, % of one core (goal ≤ 2%)`,
      winBusy,
      '%',
      '/proc route, same window',
      linuxBusy * 100,
      false,
    );
    report(
      `processes: Win32 route under Wine, node.exe CPU sampling at 1 Hz minus idle node.exe, % of one core (goal ≤ 2%)`,
      extraPct,
      '%',
      '/proc route sampler thread, same window',
      linuxBusy * 100,
      false,
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

if (process.argv.slice(1).some((a) => a.endsWith('bench/processes-wine.ts'))) {
  await benchProcessesWine(
    (figure, value, unit, baselineName, baseline, higher) => {
      const ratio = higher ? value / baseline : baseline / value;
      console.log(`${figure}: ${value.toFixed(2)} ${unit} | ${baselineName}: ${baseline.toFixed(2)} ${unit} | ratio ${ratio.toFixed(2)}×`);
    },
    console.log,
    Number(process.argv[2] ?? 60),
  );
}
