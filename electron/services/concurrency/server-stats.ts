import { readdirSync } from 'node:fs';
import type { ProcStat } from '../../../shared/processes/proc-parse.ts';
import { parseStat } from '../../../shared/processes/proc-parse.ts';
import { readProcText, systemInfo } from '../processes/proc-reader.ts';

/**
 * A model server's footprint from /proc (Linux): its processes (the forking model's children
 * are its descendants), their threads, resident memory, and CPU as % of one core since the
 * previous call. Null elsewhere or when it has gone.
 */
export class ServerStats {
  private last: { ticks: number; at: number } | null = null;

  constructor(private readonly pid: number) {}

  read(): { processes: number; threads: number; rssBytes: number; cpu: number } | null {
    if (process.platform !== 'linux') return null;
    const { clkTck, pageSize } = systemInfo();
    const tree = descendantStats(this.pid);
    if (!tree) return null;
    let processes = 0;
    let threads = 0;
    let rss = 0;
    let ticks = 0;
    for (const s of tree) {
      if (s.state !== 'Z') processes++;
      threads += s.numThreads;
      rss += s.rss * pageSize;
      ticks += s.utime + s.stime;
    }
    const at = Date.now();
    const cpu = this.last && at > this.last.at ? Math.max(0, ((ticks - this.last.ticks) / clkTck / ((at - this.last.at) / 1000)) * 100) : 0;
    this.last = { ticks, at };
    return { processes, threads, rssBytes: rss, cpu: Math.round(cpu) };
  }
}

/**
 * `pid` and its descendants' /proc/PID/stat, found through each thread's
 * /proc/PID/task/TID/children (Linux ≥ 3.5, proc(5)): a handful of small reads per tick on the
 * main thread, where scanning every process of the machine cost one read per process. Kernels
 * without the file, and processes with many threads, fall back to that scan. Null when `pid` has gone.
 */
function descendantStats(pid: number): ProcStat[] | null {
  const root = parseStat(readProcText(`/proc/${pid}/stat`) ?? '');
  if (!root) return null;
  const out = [root];
  const queue = [pid];
  while (queue.length && out.length < 100_000) {
    const p = queue.pop()!;
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${p}/task`);
    } catch {
      continue; // it ended between two reads
    }
    // A thread-per-connection server has thousands of tasks and no children: one scan of the
    // machine's processes is then the cheaper read.
    if (tids.length > 64) return scanAll(pid);
    for (const tid of tids) {
      const children = readProcText(`/proc/${p}/task/${tid}/children`);
      if (children === null) return scanAll(pid);
      for (const c of children.split(' ')) {
        if (!c) continue;
        const s = parseStat(readProcText(`/proc/${c}/stat`) ?? '');
        if (!s) continue;
        out.push(s);
        queue.push(s.pid);
      }
    }
  }
  return out;
}

/** Every process's stat, then the tree under `pid`: for kernels without task/TID/children. */
function scanAll(pid: number): ProcStat[] | null {
  const stats: ProcStat[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const s = parseStat(readProcText(`/proc/${d}/stat`) ?? '');
    if (s) stats.push(s);
  }
  const children = new Map<number, ProcStat[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const root = stats.find((s) => s.pid === pid);
  if (!root) return null;
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]!.pid) ?? []));
  return out;
}
