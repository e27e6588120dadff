/**
 * Run by Windows Node under Wine (win32-job.wine.test.ts): a "host" puts one child in its
 * KILL_ON_JOB_CLOSE job and leaves another out; the child in the job starts a grandchild after
 * joining. Then the host is ended with TerminateProcess (no cleanup runs) and the probe reports
 * which processes are left. Prints one JSON object.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSystemProcesses, signalWin32 } from '../../electron/services/processes/win32-route.ts';
import { windowsJob } from '../../electron/services/processes/win32-job.ts';
import { PacketCapture } from '../../electron/services/timeline/packet-capture.ts';

/** mode, the folder the processes talk through, and (optional) a dumpcap stand-in's Windows path. */
const [mode, dir, dumpcap] = [process.argv[2]!, process.argv[3]!, process.argv[4]];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const idle = 'setInterval(() => {}, 1000)';

async function host() {
  const job = windowsJob()!;
  // The child in the job starts its own child once it has joined (the file says so).
  const inJob = spawn(
    process.execPath,
    [
      '-e',
      `const fs = require('fs'); const { spawn } = require('child_process');
const t = setInterval(() => { if (!fs.existsSync(${JSON.stringify(join(dir, 'joined'))})) return; clearInterval(t);
  const g = spawn(process.execPath, ['-e', ${JSON.stringify(idle)}], { stdio: 'ignore', detached: true });
  fs.writeFileSync(${JSON.stringify(join(dir, 'grandchild'))}, String(g.pid)); }, 50); ${idle}`,
    ],
    { stdio: 'ignore', detached: true },
  );
  const outside = spawn(process.execPath, ['-e', idle], { stdio: 'ignore', detached: true });
  const added = job.add(inJob.pid);
  writeFileSync(join(dir, 'joined'), '');
  // A capture as the timeline starts one where dumpcap is the tool: PacketCapture spawns it and
  // puts it in the job (there is no guard program on Windows).
  let capture: Record<string, unknown> = {};
  if (dumpcap) {
    process.env.WIRELAB_FAKE_DUMPCAP_OUT = join(dir, 'dumpcap.json');
    await PacketCapture.start({ port: 9 }, () => {}, { tool: { kind: 'dumpcap', path: dumpcap } });
    const seen = JSON.parse(readFileSync(join(dir, 'dumpcap.json'), 'utf8')) as { pid: number; argv: string[] };
    capture = { dumpcap: seen.pid, dumpcapArgv: seen.argv, dumpcapInJob: job.contains(seen.pid) };
  }
  writeFileSync(
    join(dir, 'host.json'),
    JSON.stringify({
      inJob: inJob.pid,
      outside: outside.pid,
      added,
      contains: job.contains(inJob.pid!),
      containsOutside: job.contains(outside.pid!),
      ...capture,
    }),
  );
  setInterval(() => {}, 1000);
}

async function main() {
  const out: Record<string, unknown> = {};
  const h = spawn(process.execPath, [process.argv[1]!, 'host', dir, ...(dumpcap ? [dumpcap] : [])], { stdio: 'ignore' });
  const end = Date.now() + 60_000;
  while (!(existsSync(join(dir, 'host.json')) && existsSync(join(dir, 'grandchild'))) && Date.now() < end) await sleep(50);
  const info = JSON.parse(readFileSync(join(dir, 'host.json'), 'utf8')) as { inJob: number; outside: number; dumpcap?: number };
  const grandchild = Number(readFileSync(join(dir, 'grandchild'), 'utf8'));
  Object.assign(out, info, { host: h.pid, grandchild });
  const alive = () => new Set(readSystemProcesses().map((p) => p.pid));
  const before = alive();
  out.aliveBefore = { inJob: before.has(info.inJob), grandchild: before.has(grandchild), outside: before.has(info.outside) };
  const dumpcapPid = info.dumpcap ?? -1;
  out.dumpcapAliveBefore = before.has(dumpcapPid);
  signalWin32(h.pid!, 'SIGKILL'); // TerminateProcess: the host's own cleanup never runs
  let now = alive();
  const until = Date.now() + 30_000;
  while ((now.has(info.inJob) || now.has(grandchild) || now.has(dumpcapPid)) && Date.now() < until) {
    await sleep(100);
    now = alive();
  }
  out.aliveAfter = { host: now.has(h.pid!), inJob: now.has(info.inJob), grandchild: now.has(grandchild), outside: now.has(info.outside) };
  out.dumpcapAliveAfter = now.has(dumpcapPid);
  for (const pid of [info.outside, info.inJob, grandchild, dumpcapPid]) if (now.has(pid)) signalWin32(pid, 'SIGKILL');
  process.stdout.write(JSON.stringify(out) + '\n');
}

(mode === 'host' ? host() : main().then(() => process.exit(0))).catch((e: Error) => {
  process.stdout.write(JSON.stringify({ error: e.stack ?? String(e) }) + '\n');
  process.exit(1);
});
