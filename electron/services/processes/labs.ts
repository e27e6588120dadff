import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WirelabError } from '../../../shared/contract/errors.ts';
import type { LabInfo, LabKind } from '../../../shared/contract/processes.ts';
import { childGuard, processStartTime, startGuarded } from '../app/child-guard.ts';
import { nodeChild } from '../app/node-child.ts';
import { windowsJob } from './win32-job.ts';
import { holdProcess, signalWin32 } from './win32-route.ts';

/**
 * The labs: real processes and threads that make the course notes' chapters visible in the
 * table (process pool, threads, producer/consumer, zombie, orphan, daemon, stopped, the GIL).
 * Each lab runs in its own process group so stopping it ends everything it started; orphans
 * and daemons leave the group's parent, so their pids are tracked too. All are ended when the
 * lab or the app stops (dispose), and the host's child guard (app/child-guard.ts) ends them and
 * removes the scripts' folder when the host dies without stopping them (SIGKILL, a crash).
 * Recipes are the notes' (measured here).
 */

const scripts: Record<string, string> = {
  'pool-worker.js': `// Process-pool lab worker: 200 ms of work, 800 ms of rest, until the lab stops.
setInterval(() => { const end = Date.now() + 200; while (Date.now() < end); }, 1000);
`,
  'threads.js': `// Threads lab: N worker_threads in one process (one PID, N more TIDs).
const { Worker } = require('node:worker_threads');
const n = Number(process.argv[2] || 4);
for (let i = 0; i < n; i++) {
  new Worker("setInterval(() => { const e = Date.now() + 100; while (Date.now() < e); }, 1000)", { eval: true });
}
setInterval(() => {}, 1 << 30);
`,
  'producer-consumer.js': `// Producer/consumer lab: one consumer sleeps in Atomics.wait (state S, ~0% CPU), the other
// spins on a flag (state R, ~100% of a core) — the same work, two ways of waiting.
const { Worker } = require('node:worker_threads');
const flags = new Int32Array(new SharedArrayBuffer(8));
new Worker("const f = new Int32Array(require('node:worker_threads').workerData); for (;;) { Atomics.wait(f, 0, 0); Atomics.store(f, 0, 0); }", { eval: true, workerData: flags.buffer });
new Worker("const f = new Int32Array(require('node:worker_threads').workerData); for (;;) { if (Atomics.load(f, 1)) Atomics.store(f, 1, 0); }", { eval: true, workerData: flags.buffer });
setInterval(() => { Atomics.store(flags, 0, 1); Atomics.notify(flags, 0); Atomics.store(flags, 1, 1); }, 500);
`,
  'detach.js': `// Orphan and daemon-like labs on Windows: start a detached child (no console, its own
// process group), write its pid to the file named, and exit. Windows does not re-parent: the
// child's parent pid keeps naming this process after it has gone.
const { spawn } = require('node:child_process');
const c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)', process.argv[3] || 'wirelab-lab'], { detached: true, stdio: 'ignore', windowsHide: true });
require('node:fs').writeFileSync(process.argv[2], String(c.pid));
c.unref();
process.exit(0);
`,
  'idle.js': `// Stopped lab on Windows: a process that would run forever, suspended by the lab.
setInterval(() => {}, 1 << 30);
`,
  'exit-soon.js': `// Zombie lab on Windows: exits with code 7 at once; the lab holds a handle to its process object.
setTimeout(() => process.exit(7), 300);
`,
  'gil.py': `# GIL lab: 20 s of two CPU-bound threads in one process (together they get about one core:
# only the thread holding the GIL runs Python), then 20 s of two processes (about one core each).
import multiprocessing, sys, threading, time
def burn(seconds):
    end = time.time() + seconds
    while time.time() < end:
        pass
if __name__ == '__main__':
    ts = [threading.Thread(target=burn, args=(20,)) for _ in range(2)]
    for t in ts: t.start()
    for t in ts: t.join()
    ps = [multiprocessing.Process(target=burn, args=(20,)) for _ in range(2)]
    for p in ps: p.start()
    for p in ps: p.join()
`,
};

const labsPrefix = 'wirelab-labs-';
let scriptDir: string | null = null;
/** Lab scripts are written once to a temp folder so the table shows a short, readable command line. */
function script(name: string): string {
  if (!scriptDir) {
    scriptDir = join(tmpdir(), `${labsPrefix}${process.pid}`);
    mkdirSync(scriptDir, { recursive: true });
    // Who owns the folder: the next start removes it only once this very process is gone.
    writeFileSync(join(scriptDir, 'owner.json'), JSON.stringify({ pid: process.pid, startTime: processStartTime(process.pid) }));
    for (const [file, text] of Object.entries(scripts)) writeFileSync(join(scriptDir, file), text);
    childGuard()?.removeOnExit(scriptDir);
  }
  return join(scriptDir, name);
}

/** Whether the host that made a labs folder still runs (the same process, not a reuse of its pid). */
function ownerAlive(dir: string, pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const owner = JSON.parse(readFileSync(join(dir, 'owner.json'), 'utf8')) as { startTime?: number };
    const now = processStartTime(pid);
    return !owner.startTime || !now || owner.startTime === now;
  } catch {
    return true; // no owner file (an older Wirelab): alive is the safe guess
  }
}

/**
 * Removes the labs folders of hosts that were killed before they could (only those whose owning
 * pid is gone). Returns the folders removed.
 */
export function sweepLeftoverLabs(base: string = tmpdir()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return removed;
  }
  for (const name of names) {
    const pid = name.startsWith(labsPrefix) ? Number(name.slice(labsPrefix.length)) : NaN;
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) continue;
    const dir = join(base, name);
    if (ownerAlive(dir, pid)) continue;
    try {
      rmSync(dir, { recursive: true, force: true });
      removed.push(dir);
    } catch {
      /* another user's folder, or in use: leave it */
    }
  }
  return removed;
}

/** The process that had `pid` when the lab started it (start time `start`, 0 where unknown) still runs. */
function sameProcess(pid: number, start: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return !start || processStartTime(pid) === start;
}

let swept = false;
/** Runners alive in this process: the last one to go removes the scripts' folder. */
let runners = 0;

/** A process started by a lab whose group is not its own (an Electron utility process). */
export interface Launched {
  pid: number;
  kill(): void;
  /** It leads its own process group (spawned detached), so the guard can end the whole group. */
  detached?: boolean;
}

/**
 * How the Node-based labs (pool, threads, producer/consumer) start Node. Plain Node hosts (the
 * CLI, the browser host) run this process's own binary; the packaged Electron app, whose
 * RunAsNode fuse is off, passes one built on utilityProcess.fork.
 */
export type NodeLauncher = (script: string, args: string[]) => Promise<Launched>;

export const spawnNode: NodeLauncher = async (file, args) => {
  // Inside a development Electron this is the app's binary: node-child.ts adds ELECTRON_RUN_AS_NODE.
  const node = nodeChild(file, args);
  // windowsHide: on Windows a detached child gets a console window of its own otherwise.
  const child = spawn(node.command, node.args, { env: node.env, detached: true, stdio: 'ignore', windowsHide: true });
  if (child.pid === undefined) throw new WirelabError('LAB_FAILED', `could not start ${node.command}`);
  child.on('error', () => {});
  const pid = child.pid;
  return { pid, kill: () => child.kill('SIGKILL'), detached: true };
};

function shell(script: string, capture = false): ChildProcess {
  return spawn('/bin/sh', ['-c', script], { detached: true, stdio: ['ignore', capture ? 'pipe' : 'ignore', 'ignore'] });
}

/** The first line a child prints (a pid echoed by `$!`), bounded at 3 s. */
function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('the lab did not report its pid within 3 s')), 3000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(out.split('\n')[0]!.trim());
      }
    });
  });
}

let python: string | null | undefined;
/** python3 on POSIX; on Windows python.org's installer gives `python` and the `py` launcher (`python3` there is often the Store's stub). */
export function pythonCommand(): string | null {
  if (python === undefined) {
    const candidates = process.platform === 'win32' ? ['python', 'py'] : ['python3'];
    python = candidates.find((c) => spawnSync(c, ['--version'], { windowsHide: true }).status === 0) ?? null;
  }
  return python;
}
export function pythonAvailable(): boolean {
  return pythonCommand() !== null;
}

/** The pid a detach.js parent wrote (bounded: a loaded machine under Wine starts node.exe slowly). */
async function pidFromFile(file: string, timeoutMs = 15_000): Promise<number> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const pid = Number(readFileSync(file, 'utf8'));
      if (pid > 0) return pid;
    } catch {
      /* not yet written */
    }
    if (Date.now() > until) throw new Error(`the lab did not report its pid within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Running {
  info: LabInfo;
  /** Each pid's start time (Linux; 0 elsewhere), so a pid the kernel gave to a new process is not taken for the lab's. */
  starts: Map<number, number>;
  /** Process groups to end, single pids that left their group (orphan, daemon), and launcher handles. */
  groups: number[];
  pids: number[];
  handles: Launched[];
  /** Process handles held open on Windows (the zombie lab's), closed when the lab ends. */
  holds: (() => void)[];
}

/**
 * The labs on Windows, with what differs from Linux (the panel's notes say the same):
 * - orphan: the parent exits and the child keeps a parent pid that no longer exists — Windows
 *   does not re-parent (there is no init to adopt it); the Tree view shows it at the top.
 * - daemon: Windows has no setsid or sessions to leave; a detached process with no console
 *   whose parent has gone is the nearest (real background programs are services).
 * - zombie: Windows has none. A process leaves the process list when it exits, but its process
 *   object (exit code, times, pid) lives while any handle to it is open — the lab holds one to a
 *   child that exited with code 7, so that pid is not reused until the lab stops.
 * - stopped: no SIGSTOP; every thread suspended (NtSuspendProcess).
 * Every process is in the host's Job Object, so all of them, orphans included, end with it.
 */
async function startWindowsLab(
  kind: LabKind,
  file: (name: string) => string,
  node: (file: string, args?: string[]) => Promise<number>,
  pids: number[],
  holds: (() => void)[],
  id: string,
): Promise<void> {
  switch (kind) {
    case 'orphan':
    case 'daemon': {
      const out = `${file('detach.js')}.${id}.pid`;
      const parent = await node('detach.js', [out, `wirelab-${kind}`]);
      pids.push(parent, await pidFromFile(out));
      rmSync(out, { force: true });
      break;
    }
    case 'zombie': {
      const pid = await node('exit-soon.js');
      // Opened at once, before it exits: the handle keeps its process object.
      const held = holdProcess(pid);
      if (held) holds.push(held);
      pids.push(pid);
      break;
    }
    case 'stopped': {
      const pid = await node('idle.js');
      signalWin32(pid, 'SIGSTOP');
      pids.push(pid);
      break;
    }
    default:
      throw new Error(`no Windows recipe for ${kind}`);
  }
}

export class LabRunner {
  private next = 1;
  private readonly running = new Map<string, Running>();

  constructor(private readonly launchNode: NodeLauncher = spawnNode) {
    runners++;
    if (!swept && process.platform !== 'win32') {
      swept = true;
      sweepLeftoverLabs();
    }
  }

  /**
   * The labs with the pids that have exited since they started: a lab keeps its place (the
   * user ends a pid from the table, the GIL lab is done after 40 s) but is not called running.
   * kill(pid, 0) says whether the pid exists (a zombie does: it is in the table); a start time
   * that changed means the pid now belongs to another process.
   */
  list(): LabInfo[] {
    for (const r of this.running.values()) {
      if (r.info.exited.length === r.info.pids.length) continue;
      const exited = r.info.pids.filter((pid) => r.info.exited.includes(pid) || !sameProcess(pid, r.starts.get(pid) ?? 0));
      if (exited.length !== r.info.exited.length) r.info = { ...r.info, exited };
    }
    return [...this.running.values()].map((r) => r.info);
  }

  async start(kind: LabKind, count = 4): Promise<LabInfo> {
    const id = `lab-${this.next++}`;
    const groups: number[] = [];
    const pids: number[] = [];
    const handles: Launched[] = [];
    const guard = childGuard();
    const track = (c: ChildProcess) => {
      if (c.pid === undefined) throw new WirelabError('LAB_FAILED', `${kind}: the process could not start`);
      groups.push(c.pid);
      // Windows: no groups or guard there; the job ends the child and what it starts with Wirelab.
      windowsJob()?.add(c.pid);
      c.on('error', () => {});
      return c.pid;
    };
    /** A pid that left the lab's group (an orphan's, a daemon's): the guard watches it alone. */
    const loner = (pid: number) => {
      guard?.watchPid(pid);
      return pid;
    };
    const node = async (file: string, args: string[] = []) => {
      const run = async () => {
        const l = await this.launchNode(script(file), args);
        if (l.detached) guard?.watchGroup(l.pid);
        else guard?.watchPid(l.pid);
        return l;
      };
      const launched = guard ? await guard.announced(nodeChild(script(file), args).command, run) : await run();
      handles.push(launched);
      groups.push(launched.pid);
      windowsJob()?.add(launched.pid);
      return launched.pid;
    };
    const holds: (() => void)[] = [];
    try {
      if (process.platform === 'win32' && (kind === 'orphan' || kind === 'daemon' || kind === 'zombie' || kind === 'stopped'))
        await startWindowsLab(kind, script, node, pids, holds, id);
      else
        switch (kind) {
          case 'pool':
            for (let i = 0; i < count; i++) pids.push(await node('pool-worker.js'));
            break;
          case 'threads':
            pids.push(await node('threads.js', [String(count)]));
            break;
          case 'producer-consumer':
            pids.push(await node('producer-consumer.js'));
            break;
          case 'zombie': {
            // The shell starts a short child, then *becomes* `sleep 3600` (exec), which never calls
            // wait(): the child exits and stays a zombie (Z) under it.
            const c = startGuarded('/bin/sh', () => shell('sleep 0.2 & echo $!; exec sleep 3600', true));
            const parent = track(c);
            const child = Number(await firstLine(c));
            pids.push(parent, child);
            break;
          }
          case 'orphan': {
            // The shell starts `sleep` and exits at once: the child is re-parented to init (or a subreaper).
            const c = startGuarded('/bin/sh', () => shell('sleep 3600 & echo $!', true));
            track(c);
            pids.push(loner(Number(await firstLine(c))));
            break;
          }
          case 'daemon': {
            // setsid: a new session with no controlling terminal, and its parent gone — a daemon.
            const c = startGuarded('/bin/sh', () => shell('setsid sleep 3600 </dev/null >/dev/null 2>&1 & echo $!', true));
            track(c);
            pids.push(loner(Number(await firstLine(c))));
            break;
          }
          case 'stopped': {
            const pid = track(startGuarded('sleep', () => spawn('sleep', ['3600'], { detached: true, stdio: 'ignore' })));
            process.kill(pid, 'SIGSTOP');
            pids.push(pid);
            break;
          }
          case 'gil':
            if (!pythonAvailable())
              throw new WirelabError('NO_PYTHON', 'The GIL lab needs Python (python3; on Windows python or py), which is not installed here.');
            pids.push(
              track(startGuarded(pythonCommand()!, () => spawn(pythonCommand()!, [script('gil.py')], { detached: true, stdio: 'ignore', windowsHide: true }))),
            );
            break;
        }
    } catch (e) {
      this.end({ info: { id, kind, pids, exited: [], startedAt: Date.now(), error: null }, starts: new Map(), groups, pids, handles, holds });
      throw e instanceof WirelabError ? e : new WirelabError('LAB_FAILED', `${kind}: ${(e as Error).message}`);
    }
    const info: LabInfo = { id, kind, pids: pids.filter((p) => Number.isInteger(p) && p > 0), exited: [], startedAt: Date.now(), error: null };
    const starts = new Map(info.pids.map((p) => [p, processStartTime(p)]));
    this.running.set(id, { info, starts, groups, pids: info.pids, handles, holds });
    return info;
  }

  private end(r: Running): void {
    const kill = (target: number) => {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    for (const h of r.handles) h.kill();
    // Windows has no process groups: each pid is ended by itself (process.kill is TerminateProcess there).
    if (process.platform !== 'win32') for (const g of r.groups) kill(-g);
    // A pid that has exited may already name another process: never signal it.
    for (const p of r.pids) if (!r.info.exited.includes(p) && sameProcess(p, r.starts.get(p) ?? 0)) kill(p);
    for (const close of r.holds) close();
    const guard = childGuard();
    for (const p of new Set([...r.groups, ...r.pids])) guard?.forget(p);
  }

  stop(id: string): boolean {
    const r = this.running.get(id);
    if (!r) return false;
    this.end(r);
    this.running.delete(id);
    return true;
  }

  private disposed = false;

  /** Ends every lab; the last runner in the process also removes the scripts' folder. */
  dispose(): void {
    for (const id of [...this.running.keys()]) this.stop(id);
    if (this.disposed) return;
    this.disposed = true;
    if (--runners === 0 && scriptDir) {
      rmSync(scriptDir, { recursive: true, force: true });
      scriptDir = null;
    }
  }
}
