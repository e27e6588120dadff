/**
 * Run by Windows Node under Wine (labs.wine.test.ts): starts every lab through LabRunner as the
 * hosts do, samples them with the Windows route, stops them all, and prints one JSON object
 * with what it saw (rows of each lab's pids, the zombie's exit code through a fresh handle,
 * what is left after the labs stop).
 */
import { LabRunner } from '../../electron/services/processes/labs.ts';
import { exitCodeWin32, Win32Sampler } from '../../electron/services/processes/win32-route.ts';
import { labKindSchema, type LabKind } from '../../shared/contract/processes.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const runner = new LabRunner();
  const started: Record<string, { pids: number[] } | { error: string; code: string | null }> = {};
  for (const kind of labKindSchema.options as LabKind[]) {
    try {
      started[kind] = { pids: (await runner.start(kind, 3)).pids };
    } catch (e) {
      started[kind] = { error: (e as Error).message, code: (e as { code?: string }).code ?? null };
    }
  }
  const sampler = new Win32Sampler();
  // Lab children start slowly under Wine: wait until the threads lab shows its worker threads.
  const threadsPid = 'pids' in started.threads! ? started.threads.pids[0] : undefined;
  const until = Date.now() + 30_000;
  let rows = sampler.sample().processes;
  while (Date.now() < until && (rows.find((r) => r.pid === threadsPid)?.threads ?? 0) < 7) {
    await sleep(500);
    rows = sampler.sample().processes;
  }
  await sleep(1000);
  rows = sampler.sample().processes;
  const byPid = new Map(rows.map((r) => [r.pid, r]));
  const seen: Record<string, unknown[]> = {};
  for (const [kind, s] of Object.entries(started)) if ('pids' in s) seen[kind] = s.pids.map((pid) => byPid.get(pid) ?? { pid, gone: true });
  const zombiePid = 'pids' in started.zombie! ? started.zombie.pids[0]! : 0;
  const zombieExitWhileHeld = zombiePid ? exitCodeWin32(zombiePid) : null;
  const all = Object.values(started).flatMap((s) => ('pids' in s ? s.pids : []));
  runner.dispose();
  let left = all;
  const end = Date.now() + 30_000;
  while (left.length && Date.now() < end) {
    await sleep(300);
    const now = new Set(sampler.sample().processes.map((r) => r.pid));
    left = all.filter((p) => now.has(p));
  }
  const zombieExitAfterStop = zombiePid ? exitCodeWin32(zombiePid) : null;
  process.stdout.write(JSON.stringify({ selfPid: process.pid, started, seen, zombieExitWhileHeld, zombieExitAfterStop, leftAfterStop: left }) + '\n');
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    process.stdout.write(JSON.stringify({ error: e.stack ?? String(e) }) + '\n');
    process.exit(1);
  },
);
