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

const [mode, dir] = [process.argv[2]!, process.argv[3]!];
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
  writeFileSync(
    join(dir, 'host.json'),
    JSON.stringify({ inJob: inJob.pid, outside: outside.pid, added, contains: job.contains(inJob.pid!), containsOutside: job.contains(outside.pid!) }),
  );
  setInterval(() => {}, 1000);
}

async function main() {
  const out: Record<string, unknown> = {};
  const h = spawn(process.execPath, [process.argv[1]!, 'host', dir], { stdio: 'ignore' });
  const end = Date.now() + 60_000;
  while (!(existsSync(join(dir, 'host.json')) && existsSync(join(dir, 'grandchild'))) && Date.now() < end) await sleep(50);
  const info = JSON.parse(readFileSync(join(dir, 'host.json'), 'utf8')) as { inJob: number; outside: number };
  const grandchild = Number(readFileSync(join(dir, 'grandchild'), 'utf8'));
  Object.assign(out, info, { host: h.pid, grandchild });
  const alive = () => new Set(readSystemProcesses().map((p) => p.pid));
  const before = alive();
  out.aliveBefore = { inJob: before.has(info.inJob), grandchild: before.has(grandchild), outside: before.has(info.outside) };
  signalWin32(h.pid!, 'SIGKILL'); // TerminateProcess: the host's own cleanup never runs
  let now = alive();
  const until = Date.now() + 30_000;
  while ((now.has(info.inJob) || now.has(grandchild)) && Date.now() < until) {
    await sleep(100);
    now = alive();
  }
  out.aliveAfter = { host: now.has(h.pid!), inJob: now.has(info.inJob), grandchild: now.has(grandchild), outside: now.has(info.outside) };
  for (const pid of [info.outside, info.inJob, grandchild]) if (now.has(pid)) signalWin32(pid, 'SIGKILL');
  process.stdout.write(JSON.stringify(out) + '\n');
}

(mode === 'host' ? host() : main().then(() => process.exit(0))).catch((e: Error) => {
  process.stdout.write(JSON.stringify({ error: e.stack ?? String(e) }) + '\n');
  process.exit(1);
});
