import { parseArgs } from 'node:util';
import { psAvailable } from '../services/processes/ps-route.ts';
import { listProcesses, listSocketsFor, listThreads, samplerRoute } from '../services/processes/process-sampler.ts';
import { win32ApiAvailable } from '../services/processes/win32-api.ts';
import { UsageError, type CliIo } from './cli-io.ts';

export const psHelp = `wirelab ps [--interval MS] [--json]
wirelab ps --threads PID [--json]
wirelab ps --sockets [--pid P] [--json]

Processes (pid, ppid, name, user, state, threads, CPU % of one core over the interval, memory,
start time, command), one process's threads, or every TCP/UDP socket with its owner.
Linux reads /proc, Windows calls the Win32 API (through koffi), macOS runs ps and lsof.`;

function pidArg(flag: string, v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`${flag} must be a process id (a whole number), not "${v}"`);
  return Number(v);
}

export async function psCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { interval: { type: 'string' }, threads: { type: 'string' }, sockets: { type: 'boolean' }, pid: { type: 'string' }, json: { type: 'boolean' } },
  });
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  // The same route as the process panel's sampler: /proc, the Win32 API, or ps and lsof.
  const route = samplerRoute();
  if (route === 'ps' && !psAvailable())
    throw new UsageError(
      `ps reads /proc (Linux), calls the Win32 API (Windows) or runs ps and lsof (macOS); this system (${process.platform}) has none of them`,
    );
  if (route === 'win32') {
    const api = win32ApiAvailable();
    if (!api.ok) throw new UsageError(api.reason);
  }
  const interval =
    values.interval === undefined
      ? 500
      : /^\d+$/.test(values.interval) && Number(values.interval) <= 60_000
        ? Number(values.interval)
        : (() => {
            throw new UsageError(`--interval must be 0–60000 ms, not "${values.interval}"`);
          })();
  const json = values.json === true;
  if (values.threads !== undefined) {
    const pid = pidArg('--threads', values.threads);
    const threads = await listThreads(pid, interval);
    if (!threads) throw new UsageError(route !== 'ps' ? `--threads: no process ${pid}` : `--threads: this system's route (ps) does not list threads`);
    if (json) io.out(JSON.stringify({ pid, threads }));
    else for (const t of threads) io.out(`${String(t.tid).padStart(7)} ${t.state} ${String(t.cpu).padStart(6)}% ${t.name}`);
    return 0;
  }
  if (values.sockets) {
    const only = values.pid === undefined ? undefined : pidArg('--pid', values.pid);
    const sockets = listSocketsFor(route, only);
    if (json) io.out(JSON.stringify({ sockets }));
    else
      for (const s of sockets)
        io.out(`${s.proto.padEnd(5)} ${s.local.padEnd(46)} ${s.remote.padEnd(46)} ${s.state.padEnd(12)} ${s.pid ?? '-'} ${s.process ?? '(unknown owner)'}`);
    return 0;
  }
  const processes = await listProcesses(interval);
  if (json) io.out(JSON.stringify({ processes }));
  else
    for (const p of processes)
      io.out(
        `${String(p.pid).padStart(7)} ${String(p.ppid).padStart(7)} ${p.state} ${String(p.threads).padStart(3)} ${String(p.cpu).padStart(6)}% ${String(Math.round(p.rssBytes / 1024)).padStart(8)}K ${(p.user ?? '?').padEnd(8)} ${p.command.slice(0, 80)}`,
      );
  return 0;
}
