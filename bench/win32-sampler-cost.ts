/**
 * Run by Windows Node under Wine (bench/processes-wine.ts bundles it): the process monitor's
 * service on the Win32 route sampling once a second for `seconds` (mode "sample"), or the same
 * node.exe doing nothing for as long (mode "idle", the baseline of what a node.exe costs under
 * Wine by itself). Prints one JSON line: the sampler thread's busy share and the process's CPU.
 */
import { EventHub } from '../electron/core/event-hub.ts';
import { ProcessService } from '../electron/services/processes/process-service.ts';
import { samplerRoute } from '../electron/services/processes/process-sampler.ts';

const [mode, secondsArg] = [process.argv[2] ?? 'sample', process.argv[3] ?? '60'];
const seconds = Number(secondsArg);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const hub = new EventHub();
  let samples = 0;
  let processes = 0;
  hub.on('processes.sample', (s) => {
    samples++;
    processes = s.processes.length;
  });
  const service = mode === 'sample' ? new ProcessService(hub) : null;
  service?.configure(true, 1000);
  await sleep(1500); // the worker started and took its first (full) sample
  const elu0 = service?.workerUtilization() ?? null;
  const cpu0 = process.cpuUsage();
  const samples0 = samples;
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const elu = elu0 ? service!.workerUtilization(elu0)!.utilization : null;
  await service?.dispose();
  process.stdout.write(
    JSON.stringify({ mode, route: samplerRoute(), wallMs, samples: samples - samples0, processes, workerBusy: elu, cpuMs: (cpu.user + cpu.system) / 1000 }) +
      '\n',
  );
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    process.stdout.write(JSON.stringify({ error: e.stack ?? String(e) }) + '\n');
    process.exit(1);
  },
);
