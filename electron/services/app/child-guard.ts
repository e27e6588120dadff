import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseStat } from '../../../shared/processes/proc-parse.ts';
import { nodeChild } from './node-child.ts';

/**
 * Nothing Wirelab starts outlives it, however it ends. A host's own cleanup (dispose on SIGTERM,
 * SIGINT, quit) runs only when the host does; SIGKILL, a crash or an OOM kill skip it, and
 * tcpdump, writing into a pipe nobody reads, would exit only when a packet reaches its port
 * (SIGPIPE on the next write). So each host starts one guard (child-guard-program.mjs) holding
 * a pipe from it: the kernel closes the pipe when the host dies, whatever the way, and the guard
 * then SIGKILLs every process group and pid registered here, their descendants, and removes the
 * registered folders.
 *
 * Why not prctl(PR_SET_PDEATHSIG): it must be set in the child between fork and exec (Node's
 * spawn has no such hook), it fires when the *thread* that forked exits, and it does not follow
 * orphans and daemons, which the labs make on purpose.
 *
 * Where the guard does not run, today's behaviour stays (children end with dispose only):
 * - Windows: no process groups or SIGKILL. There every lab child and dumpcap is put into a Job
 *   Object with JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE (processes/win32-job.ts): the job's only
 *   handle is the host's, Windows closes it when the host ends however it ends, and closing it
 *   ends every process in the job, their own children included (they inherit the job).
 * - Inside Electron: process.execPath is the app, and release builds turn the RunAsNode fuse off,
 *   so it cannot run this Node program; a utility process dies with the app before it could
 *   clean up. The Electron shell needs a launcher of its own (pending).
 */

const program = fileURLToPath(new URL('./child-guard-program.mjs', import.meta.url));

/** Field 22 of /proc/<pid>/stat (the sampler's parseStat): when the process started, in clock ticks since boot; 0 without /proc. */
export function processStartTime(pid: number): number {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.starttime ?? 0;
  } catch {
    return 0;
  }
}

/** Seconds since boot (/proc/uptime), the clock /proc/<pid>/stat's starttime counts in; null without /proc. */
function uptimeSeconds(): number | null {
  try {
    const up = Number.parseFloat(readFileSync('/proc/uptime', 'utf8'));
    return Number.isFinite(up) ? up : null;
  } catch {
    return null;
  }
}

export class ChildGuard {
  private closed = false;
  /** Announcements made so far (their ids; see `announced`). */
  private announcements = 0;
  private readonly exited: Promise<void>;

  private constructor(private readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    // A guard that failed or died leaves the host working as it did before the guard existed.
    child.on('error', () => (this.closed = true));
    child.stdin!.on('error', () => (this.closed = true));
    // Neither the guard nor its pipe keeps the host's event loop alive.
    child.unref();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
  }

  /** Starts the guard, or null where it cannot run (see above). */
  static start(): ChildGuard | null {
    if (process.platform === 'win32' || process.versions.electron) return null;
    // detached: its own session, so Ctrl+C in the host's terminal (SIGINT to the foreground
    // group) does not end the guard before it has cleaned up. No shell; stdout/stderr unused.
    const node = nodeChild(program, [String(process.pid)]);
    const child = spawn(node.command, node.args, { env: node.env, detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    if (child.pid === undefined) return null;
    return new ChildGuard(child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  private write(line: string): void {
    if (this.closed || /[\n\r]/.test(line)) return;
    this.child.stdin!.write(`${line}\n`);
  }

  /**
   * Runs `spawn` (which starts one detached child running `command` and registers it) between an
   * announcement and its settling. The kernel may run a new child for a while before it runs the
   * host again; a host killed then would leave the child unregistered, and the guard finds it by
   * the announcement: a process-group leader of that name started since. The announcement is
   * settled however `spawn` ends (a promise: once it settles), so none stays open to match a
   * stranger later.
   */
  announced<T>(command: string, spawn: () => T): T {
    const up = uptimeSeconds();
    const comm = basename(command).replace(/\s/g, '');
    if (up === null || !comm) return spawn();
    const id = ++this.announcements;
    this.write(`s ${id} ${up} ${comm}`);
    const settle = () => this.write(`x ${id}`);
    let result: T;
    try {
      result = spawn();
    } catch (e) {
      settle();
      throw e;
    }
    if (result instanceof Promise) return result.finally(settle) as T;
    settle();
    return result;
  }

  /** A child spawned with `detached: true` leads its own process group: end the whole group. */
  watchGroup(pid: number | undefined): void {
    if (pid) this.write(`g ${pid} ${processStartTime(pid)}`);
  }

  /** A process outside any watched group (an orphan or a daemon a lab made). */
  watchPid(pid: number | undefined): void {
    if (pid) this.write(`p ${pid} ${processStartTime(pid)}`);
  }

  /** The group or pid ended on its own: forget it, so a reuse of the number is never signalled. */
  forget(pid: number | undefined): void {
    if (pid) this.write(`- ${pid}`);
  }

  /** A folder to remove when the host is gone. */
  removeOnExit(path: string): void {
    this.write(`d ${path}`);
  }

  /**
   * The host is stopping cleanly: close the pipe (the guard ends whatever is still registered,
   * removes the folders, exits) and wait for it, bounded at 3 s.
   */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.child.stdin!.end();
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.exited, new Promise<void>((r) => (timer = setTimeout(r, 3000)))]);
    clearTimeout(timer);
  }
}

/**
 * The host's guard, shared by every service that spawns (labs, captures). Backends in one process
 * (tests build several) share one guard, closed when the last of them is disposed.
 */
let shared: ChildGuard | null = null;
let users = 0;

export function acquireChildGuard(): () => Promise<void> {
  users++;
  shared ??= ChildGuard.start();
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    if (--users > 0 || !shared) return;
    const guard = shared;
    shared = null;
    await guard.close();
  };
}

/** The running guard, if any: spawners register their children with it. */
export function childGuard(): ChildGuard | null {
  return shared;
}

/**
 * Starts one detached child with `start` and registers its process group with the running guard,
 * inside an announcement (`ChildGuard.announced`), so it ends with the host however the host ends.
 * Without a guard (Windows, Electron) it only starts it.
 */
export function startGuarded(command: string, start: () => ChildProcess): ChildProcess {
  const guard = shared;
  if (!guard) return start();
  return guard.announced(command, () => {
    const child = start();
    guard.watchGroup(child.pid);
    return child;
  });
}
