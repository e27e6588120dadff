import { execFileSync, spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { parseLsof, parsePs, psKeywords, type PsRow } from '../../../shared/processes/ps-parse.ts';
import type { ProcessSample } from './process-sampler.ts';
import type { ProcessRow, SocketRow, ThreadRow } from './proc-reader.ts';

/**
 * The route where there is no /proc (macOS, per the notes): one `ps` per sample for every
 * process, `lsof` for sockets. Tested here by running it on Linux, whose procps prints the same
 * columns (plus a thread count, which macOS's ps does not have: threads are null there). On
 * macOS itself it is untested.
 */
const withThreads = process.platform === 'linux';

export function psAvailable(): boolean {
  return process.platform !== 'win32' && spawnSync('ps', ['-p', String(process.pid), '-o', 'pid='], { encoding: 'utf8' }).status === 0;
}

export class PsSampler {
  private known = new Map<number, { start: string; cpuSeconds: number; row: ProcessRow }>();
  private lastAt = 0;

  sample(): ProcessSample {
    const t0 = performance.now();
    const text = execFileSync('ps', ['axo', psKeywords(withThreads)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const seconds = this.lastAt ? (t0 - this.lastAt) / 1000 : 0;
    const next = new Map<number, { start: string; cpuSeconds: number; row: ProcessRow }>();
    const added: number[] = [];
    const processes: ProcessRow[] = [];
    for (const r of parsePs(text, withThreads, process.platform)) {
      const prev = this.known.get(r.pid);
      const same = prev !== undefined && prev.start === r.startTime;
      if (!same && this.lastAt) added.push(r.pid);
      // CPU time from ps has 1 s (Linux) or 10 ms (macOS) steps: the share over the interval.
      const cpu = same && seconds > 0 ? Math.round(((r.cpuSeconds - prev.cpuSeconds) / seconds) * 1000) / 10 : 0;
      const row = toRow(r, Math.max(0, cpu));
      next.set(r.pid, { start: r.startTime, cpuSeconds: r.cpuSeconds, row });
      processes.push(row);
    }
    const removed = [...this.known].filter(([pid, k]) => next.get(pid)?.start !== k.start).map(([, k]) => k.row);
    this.known = next;
    this.lastAt = t0;
    return { at: Date.now(), tookMs: performance.now() - t0, cores: cpus().length, processes, added, removed };
  }

  /** Threads per process are not listed by this route (macOS's ps gives no thread ids in columns). */
  threads(_pid: number): ThreadRow[] | null {
    return null;
  }

  close(): void {}
}

function toRow(r: PsRow, cpu: number): ProcessRow {
  return {
    pid: r.pid,
    ppid: r.ppid,
    name: r.name,
    user: r.user,
    state: r.state,
    threads: r.threads,
    cpu,
    rssBytes: r.rssBytes,
    startTime: r.startTime,
    command: r.command,
  };
}

/** Every TCP/UDP socket with its owner, from lsof (only the sockets of processes you may inspect). */
export function listSocketsLsof(onlyPid?: number): SocketRow[] {
  const r = spawnSync('lsof', ['-nP', '-iTCP', '-iUDP', '-FpcPnT'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) return [];
  return parseLsof(r.stdout).filter((s) => onlyPid === undefined || s.pid === onlyPid);
}
