import { readdirSync } from 'node:fs';
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
    const stats = [];
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      const s = parseStat(readProcText(`/proc/${d}/stat`) ?? '');
      if (s) stats.push(s);
    }
    const children = new Map<number, number[]>();
    for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s.pid]);
    const byPid = new Map(stats.map((s) => [s.pid, s]));
    if (!byPid.has(this.pid)) return null;
    let processes = 0;
    let threads = 0;
    let rss = 0;
    let ticks = 0;
    const queue = [this.pid];
    while (queue.length) {
      const s = byPid.get(queue.pop()!);
      if (!s) continue;
      if (s.state !== 'Z') processes++;
      threads += s.numThreads;
      rss += s.rss * pageSize;
      ticks += s.utime + s.stime;
      queue.push(...(children.get(s.pid) ?? []));
    }
    const at = Date.now();
    const cpu = this.last && at > this.last.at ? Math.max(0, ((ticks - this.last.ticks) / clkTck / ((at - this.last.at) / 1000)) * 100) : 0;
    this.last = { ticks, at };
    return { processes, threads, rssBytes: rss, cpu: Math.round(cpu) };
  }
}
