import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { cpuPercent, parseStat, parseStatBytes, type ProcStat } from '../../../shared/processes/proc-parse.ts';
import type { ProcessRow, SocketRow, ThreadRow } from './proc-reader.ts';
import { listSockets, procSupported, readProcText, systemInfo } from './proc-reader.ts';
import { listSocketsLsof, PsSampler } from './ps-route.ts';
import { listSocketsWin32, Win32Sampler } from './win32-route.ts';

/**
 * One sample of every process, for the panel's once-a-second refresh. Measured in the notes:
 * `stat` for every pid each sample is cheap (~9 ms for 370 processes); the owner and `cmdline`
 * are read only for pids not seen before (a pid reused by a new process has a new start time,
 * so the cache key is pid + start time), and `cmdline` again after an exec (a new name or
 * stack address in `stat`). Runs on a worker thread; reads are synchronous
 * because small async /proc reads cost 3–5× more.
 */

function ownerUid(pid: number): number | null {
  try {
    return statSync(`/proc/${pid}`).uid;
  } catch {
    return null;
  }
}

const statBuf = Buffer.alloc(4096);
/** Held open between samples: re-reading at offset 0 gives fresh data (the notes; pidusage does it). */
const MAX_HELD_FDS = 4096;

/**
 * /proc/<pid>/stat read into one reused buffer. The fd of a known pid stays open, so a sample
 * costs one pread per process instead of open + fstat + read + close (readFileSync), which is
 * most of a sample's cost at 1,000 processes. A pid that has exited fails its read (ESRCH) and
 * its fd is closed.
 */
class StatReader {
  private readonly fds = new Map<number, number>();

  read(pid: number): ProcStat | null {
    let fd = this.fds.get(pid);
    if (fd === undefined) {
      try {
        fd = openSync(`/proc/${pid}/stat`, 'r');
      } catch {
        return null;
      }
      if (this.fds.size < MAX_HELD_FDS) this.fds.set(pid, fd);
    }
    try {
      return parseStatBytes(statBuf, readSync(fd, statBuf, 0, statBuf.length, 0));
    } catch {
      this.drop(pid, fd);
      return null;
    } finally {
      if (!this.fds.has(pid)) this.drop(pid, fd);
    }
  }

  /** Closes the fd of a pid that has gone. */
  forget(pid: number): void {
    const fd = this.fds.get(pid);
    if (fd !== undefined) this.drop(pid, fd);
  }

  private drop(pid: number, fd: number): void {
    this.fds.delete(pid);
    try {
      closeSync(fd);
    } catch {
      /* already closed */
    }
  }

  close(): void {
    for (const [pid, fd] of this.fds) this.drop(pid, fd);
  }
}

export interface ProcessSample {
  /** Wall-clock ms of the sample. */
  at: number;
  /** How long reading /proc took, ms. */
  tookMs: number;
  cores: number;
  processes: ProcessRow[];
  /** Pids new since the previous sample, and rows that have gone. */
  added: number[];
  removed: ProcessRow[];
}

interface Known {
  start: number;
  /** The name and stack address the command line was read with (exec changes them). */
  name: string;
  stack: number;
  user: string | null;
  command: string;
  startTime: string;
  ticks: number;
  row: ProcessRow;
  /** The sample that last saw this pid: entries of older samples have exited. */
  seen: number;
}

export class ProcessSampler {
  private readonly known = new Map<number, Known>();
  private readonly stats = new StatReader();
  private lastAt = 0;
  private generation = 0;
  /** Read once: os.cpus() reads /proc/cpuinfo on every call. */
  private readonly cores = cpus().length;
  private threadTicks = new Map<number, { at: number; ticks: Map<number, number> }>();

  /**
   * Known pids are updated in place and a row object is reused while nothing in it changed
   * (most processes sleep): at 1,000 processes this keeps the once-a-second sample well under
   * 2% of a core, most of what is left being the kernel formatting `stat` (`npm run bench`).
   */
  sample(): ProcessSample {
    const sys = systemInfo();
    const t0 = performance.now();
    const seconds = this.lastAt ? (t0 - this.lastAt) / 1000 : 0;
    const gen = ++this.generation;
    const added: number[] = [];
    const removed: ProcessRow[] = [];
    const rows: ProcessRow[] = [];
    for (const d of readdirSync('/proc')) {
      const c = d.charCodeAt(0);
      if (c < 48 || c > 57) continue;
      const pid = Number(d);
      const s = this.stats.read(pid);
      if (!s) continue; // gone between listing and reading
      const ticks = s.utime + s.stime;
      let k = this.known.get(pid);
      let cpu = 0;
      if (k && k.start === s.starttime) {
        if (seconds > 0) cpu = cpuPercent(k.ticks, ticks, seconds, sys.clkTck);
        // exec(2) keeps the pid and the start time. It builds a new stack (startstack moves, even
        // when python3 execs python3) and usually a new name; a fork waiting to exec still has
        // its parent's (Wirelab's) command line, and a process caught mid-exec has none yet. So
        // the command line is read again when either changed (for another user's process the
        // kernel hides startstack: the name alone tells).
        if (k.stack !== s.startStack || k.name !== s.comm) {
          k.command = readCommand(pid, s.comm);
          k.stack = s.startStack;
          k.name = s.comm;
        }
      } else {
        // A new pid, or a pid reused by a new process (its start time differs).
        if (k) removed.push(k.row);
        // The owner of /proc/<pid> is the process's effective uid (what ps shows as USER): one
        // stat(2) instead of reading the whole status file for its Uid line.
        const uid = ownerUid(pid);
        k = {
          start: s.starttime,
          name: s.comm,
          stack: s.startStack,
          user: uid === null ? null : (sys.users.get(uid) ?? String(uid)),
          command: readCommand(pid, s.comm),
          startTime: new Date(sys.bootTimeMs + (s.starttime / sys.clkTck) * 1000).toISOString(),
          ticks,
          row: null as unknown as ProcessRow,
          seen: gen,
        };
        this.known.set(pid, k);
        if (this.lastAt) added.push(pid);
      }
      const prev = k.row;
      const same =
        prev !== null &&
        prev.cpu === cpu &&
        prev.state === s.state &&
        prev.ppid === s.ppid &&
        prev.threads === s.numThreads &&
        prev.rssBytes === s.rss * sys.pageSize &&
        prev.name === s.comm &&
        prev.command === (s.state === 'Z' ? prev.command : k.command);
      if (!same) k.row = rowOf(s, k, cpu, sys.pageSize);
      k.ticks = ticks;
      k.seen = gen;
      rows.push(k.row);
    }
    for (const [pid, k] of this.known) {
      if (k.seen === gen) continue;
      removed.push(k.row);
      this.known.delete(pid);
      this.stats.forget(pid);
    }
    this.lastAt = t0;
    return { at: Date.now(), tookMs: performance.now() - t0, cores: this.cores, processes: rows, added, removed };
  }

  /** Closes the held /proc fds. */
  close(): void {
    this.stats.close();
  }

  /**
   * One process's threads from /proc/<pid>/task; CPU is measured since the previous call for
   * the same pid (the panel asks once per sample while the process is selected).
   */
  threads(pid: number): ThreadRow[] | null {
    const dir = `/proc/${pid}/task`;
    let tids: number[];
    try {
      tids = readdirSync(dir)
        .filter((d) => /^\d+$/.test(d))
        .map(Number);
    } catch {
      return null;
    }
    const sys = systemInfo();
    const now = performance.now();
    const prev = this.threadTicks.get(pid);
    const ticks = new Map<number, number>();
    const rows: ThreadRow[] = [];
    for (const tid of tids) {
      const s: ProcStat | null = parseStat(readProcText(`${dir}/${tid}/stat`) ?? '');
      if (!s) continue;
      const t = s.utime + s.stime;
      ticks.set(tid, t);
      const before = prev?.ticks.get(tid);
      rows.push({
        tid,
        name: (readProcText(`${dir}/${tid}/comm`) ?? s.comm).trim(),
        state: s.state,
        cpu: prev && before !== undefined ? cpuPercent(before, t, (now - prev.at) / 1000, sys.clkTck) : 0,
      });
    }
    // Keep the baselines of the few processes the user looked at last, not of every pid ever.
    this.threadTicks.delete(pid);
    this.threadTicks.set(pid, { at: now, ticks });
    while (this.threadTicks.size > 8) this.threadTicks.delete(this.threadTicks.keys().next().value!);
    return rows;
  }
}

/** Kernel threads and zombies have no command line: the name in brackets, as ps shows it. */
function readCommand(pid: number, comm: string): string {
  const cmdline = (readProcText(`/proc/${pid}/cmdline`) ?? '').replace(/\0+$/, '').replace(/\0/g, ' ');
  return cmdline || `[${comm}]`;
}

function rowOf(s: ProcStat, k: Omit<Known, 'row' | 'seen'>, cpu: number, pageSize: number): ProcessRow {
  // A zombie has released its memory and command line; ps writes it "[name] <defunct>".
  const command = s.state === 'Z' ? `[${s.comm}] <defunct>` : k.command;
  return {
    pid: s.pid,
    ppid: s.ppid,
    name: s.comm,
    user: k.user,
    state: s.state,
    threads: s.numThreads,
    cpu,
    rssBytes: s.rss * pageSize,
    startTime: k.startTime,
    command,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What every OS route offers the worker, the CLI and the panel. */
export interface ProcessSource {
  sample(): ProcessSample;
  threads(pid: number): ThreadRow[] | null;
  close(): void;
}

export type SamplerRoute = 'proc' | 'ps' | 'win32';

/** /proc where it exists (Linux), the Win32 API on Windows, ps and lsof elsewhere (macOS) or when asked (tests). */
export function samplerRoute(route: 'auto' | 'ps' = 'auto'): SamplerRoute {
  if (route === 'ps') return 'ps';
  if (process.platform === 'win32') return 'win32';
  return procSupported() ? 'proc' : 'ps';
}

export function createSampler(route: 'auto' | 'ps' = 'auto'): ProcessSource {
  const r = samplerRoute(route);
  // The Windows route binds koffi when constructed, never on import: other OSes do not load it.
  return r === 'win32' ? new Win32Sampler() : r === 'ps' ? new PsSampler() : new ProcessSampler();
}

/** Every TCP/UDP socket with its owner, by the same route as the processes (the worker and `wirelab ps --sockets`). */
export function listSocketsFor(route: SamplerRoute, onlyPid?: number): SocketRow[] {
  return route === 'win32' ? listSocketsWin32(onlyPid) : route === 'ps' ? listSocketsLsof(onlyPid) : listSockets(onlyPid);
}

/** Two samples `intervalMs` apart (the panel's sampler); CPU is the share of one core between them. */
export async function listProcesses(intervalMs = 500): Promise<ProcessRow[]> {
  const sampler = createSampler();
  sampler.sample();
  await sleep(intervalMs);
  const rows = sampler.sample().processes;
  sampler.close();
  return rows.sort((a, b) => a.pid - b.pid);
}

export async function listThreads(pid: number, intervalMs = 500): Promise<ThreadRow[] | null> {
  const sampler = createSampler();
  if (!sampler.threads(pid)) return null;
  await sleep(intervalMs);
  return sampler.threads(pid);
}
