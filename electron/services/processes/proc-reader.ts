import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { parseNetFile, parsePasswd, type NetSocket } from '../../../shared/processes/proc-parse.ts';
import type { ProcessRowData, SocketRowData, ThreadRowData } from '../../../shared/contract/processes.ts';

/**
 * Processes, threads and sockets from /proc (Linux). Reads are synchronous on purpose: the notes
 * measured small /proc files at 3–5× the cost when read with fs.promises. Processes come and go
 * between listing and reading, so a vanished pid is skipped, never an error.
 */

/** A /proc file's text, or null when it has gone (a process exits between listing and reading). */
export function readProcText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function getconf(name: string, fallback: number): number {
  const r = spawnSync('getconf', [name], { encoding: 'utf8' });
  const n = Number(r.stdout?.trim());
  return r.status === 0 && Number.isFinite(n) && n > 0 ? n : fallback;
}

let system: { clkTck: number; pageSize: number; bootTimeMs: number; users: Map<number, string> } | null = null;
export function systemInfo() {
  if (!system) {
    const btime = /^btime\s+(\d+)/m.exec(readProcText('/proc/stat') ?? '');
    system = {
      clkTck: getconf('CLK_TCK', 100),
      pageSize: getconf('PAGESIZE', 4096),
      bootTimeMs: btime ? Number(btime[1]) * 1000 : 0,
      users: parsePasswd(readProcText('/etc/passwd') ?? ''),
    };
  }
  return system;
}

export function procSupported(): boolean {
  return process.platform === 'linux' && readProcText('/proc/self/stat') !== null;
}

const pids = () =>
  readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);

/** The row shapes are the contract's: one definition for the panel, `wirelab ps` and the services. */
export type ProcessRow = ProcessRowData;
export type ThreadRow = ThreadRowData;
export type SocketRow = SocketRowData;

/** Every TCP/UDP socket, joined to its owner through the socket inodes in /proc/<pid>/fd. */
export function listSockets(onlyPid?: number): SocketRow[] {
  const sockets: NetSocket[] = [];
  for (const proto of ['tcp', 'tcp6', 'udp', 'udp6'] as const) sockets.push(...parseNetFile(readProcText(`/proc/net/${proto}`) ?? '', proto));
  const owner = new Map<number, { pid: number; name: string }>();
  for (const pid of pids()) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // another user's process: its fds are unreadable without privileges ("unknown owner")
    }
    let name: string | null = null;
    for (const fd of fds) {
      let link: string;
      try {
        link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (!m) continue;
      name ??= (readProcText(`/proc/${pid}/comm`) ?? '').trim();
      if (!owner.has(Number(m[1]))) owner.set(Number(m[1]), { pid, name });
    }
  }
  return sockets
    .map(({ inode, uid: _uid, timerSec: _timer, ...s }) => ({ ...s, pid: owner.get(inode)?.pid ?? null, process: owner.get(inode)?.name ?? null }))
    .filter((s) => onlyPid === undefined || s.pid === onlyPid);
}
