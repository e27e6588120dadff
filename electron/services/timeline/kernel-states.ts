import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import type { KernelState } from '../../../shared/contract/timeline.ts';
import { parseNetFile } from '../../../shared/processes/proc-parse.ts';
import { parseNetstat } from '../../../shared/processes/netstat-parse.ts';
import { kernelStateNames } from '../../../shared/timeline/tcp-state-machine.ts';
import { findExecutable } from '../find-executable.ts';
import { win32ApiAvailable } from '../processes/win32-api.ts';
import { readTcpStatesWin32 } from '../processes/win32-route.ts';
import { wallClock } from './wall-clock.ts';

/**
 * Confirms the long TCP states from the kernel's own socket table, without privileges:
 * /proc/net/tcp and tcp6 are world-readable on Linux. Polling cannot catch the microsecond
 * states on loopback (the notes), so those come from the packets; this shows ESTABLISHED,
 * CLOSE_WAIT, FIN_WAIT_2 and TIME_WAIT (with the kernel's own countdown) as the kernel sees them.
 * On Windows the table is GetExtendedTcpTable's, asked in-process (koffi) 50× a second — no
 * process per look; it has no countdown, so TIME_WAIT starts at Windows' default 2 MSL of 120 s
 * (TcpTimedWaitDelay, RFC 9293 §3.4.2). Elsewhere without /proc (macOS) the table comes from
 * netstat: a process per look, so it is polled 5× a second, and it has no TIME_WAIT countdown.
 */
export type TcpTableRoute = 'proc' | 'netstat' | 'win32';

/** Windows' TIME_WAIT length when TcpTimedWaitDelay is not set in the registry (Microsoft's TCP/IP docs). */
export const WINDOWS_TIME_WAIT_SEC = 120;

/** netstat's path, looked up once: the watcher asks 5× a second. */
let netstatPath: string | null | undefined;
const netstat = () => (netstatPath === undefined ? (netstatPath = findExecutable('netstat')) : netstatPath);

export function tcpTableRoute(): TcpTableRoute | null {
  if (process.platform === 'linux' && existsSync('/proc/net/tcp')) return 'proc';
  // The Win32 tables where koffi loads (it ships in the installer); netstat otherwise.
  if (process.platform === 'win32' && win32ApiAvailable().ok) return 'win32';
  return netstat() ? 'netstat' : null;
}

export function kernelStatesSupported(): boolean {
  return tcpTableRoute() !== null;
}

export interface TcpTableRow {
  local: string;
  remote: string;
  /** The kernel's spelling (FIN_WAIT2, SYN_RECV, ...), whichever route read it. */
  state: string;
  timerSec: number | null;
}

/** Each OS's netstat, asked for TCP sockets with numeric addresses. */
export function netstatArgs(platform: NodeJS.Platform = process.platform): string[] {
  if (platform === 'win32') return ['-an', '-p', 'TCP']; // IPv4; TCPv6 is a second call
  if (platform === 'linux') return ['-tan'];
  return ['-an', '-p', 'tcp']; // macOS and the BSDs: tcp4, tcp6 and tcp46 together
}

const run = promisify(execFile);

export async function readTcpTable(route: TcpTableRoute = 'proc'): Promise<TcpTableRow[]> {
  if (route === 'win32') {
    // One synchronous call per family, without owners (the cheap classes): no thread hop, no process.
    return readTcpStatesWin32().map((s) => ({
      local: s.local,
      remote: s.remote,
      state: s.state,
      timerSec: s.state === 'TIME_WAIT' ? WINDOWS_TIME_WAIT_SEC : null,
    }));
  }
  if (route === 'netstat') {
    const path = netstat();
    if (!path) return [];
    const calls = process.platform === 'win32' ? [netstatArgs(), ['-an', '-p', 'TCPv6']] : [netstatArgs()];
    const outs = await Promise.all(
      calls.map((args) =>
        run(path, args, { windowsHide: true, maxBuffer: 16 * 1024 * 1024 }).then(
          (r) => r.stdout,
          () => '',
        ),
      ),
    );
    return outs.flatMap((o) => parseNetstat(o)).map((s) => ({ local: s.local, remote: s.remote, state: s.state, timerSec: null }));
  }
  const read = (f: string) => readFile(f, 'utf8').catch(() => '');
  const [v4, v6] = await Promise.all([read('/proc/net/tcp'), read('/proc/net/tcp6')]);
  return [...parseNetFile(v4, 'tcp'), ...parseNetFile(v6, 'tcp6')];
}

/** How often each route looks: /proc is a file read; netstat starts a process each time; the Win32 table is a call. */
const NETSTAT_MIN_INTERVAL_MS = 200;
const WIN32_MIN_INTERVAL_MS = 20;

interface Tracked {
  client: string;
  server: string;
  last: { client: string | null; server: string | null };
}

export class KernelStateWatcher {
  private readonly tracked = new Map<string, Tracked>();
  private timer: NodeJS.Timeout | null = null;
  private polling = false;

  private readonly route: TcpTableRoute | null;

  constructor(
    private readonly onState: (k: KernelState) => void,
    private readonly intervalMs = 10,
    /** Tests force netstat on Linux; by default /proc where it exists. */
    route?: TcpTableRoute,
  ) {
    this.route = route ?? tcpTableRoute();
  }

  /** Follows one connection, named by its two endpoints ("ip:port", IPv6 in brackets). */
  track(client: string, server: string): void {
    const key = `${client} ${server}`;
    if (!this.tracked.has(key)) this.tracked.set(key, { client, server, last: { client: null, server: null } });
  }

  start(): void {
    if (this.timer || this.route === null) return;
    const min = this.route === 'netstat' ? NETSTAT_MIN_INTERVAL_MS : this.route === 'win32' ? WIN32_MIN_INTERVAL_MS : 0;
    const every = Math.max(this.intervalMs, min);
    this.timer = setInterval(() => void this.poll(), every);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One look at the table; also called once more right before stopping. */
  async poll(): Promise<void> {
    if (this.polling || this.tracked.size === 0 || this.route === null) return;
    this.polling = true;
    try {
      // Stamped when the look starts, not when its answer is back: the read waits for the thread
      // pool (or netstat), and a state stamped then lands after the packet that had already ended
      // it ("ESTABLISHED" drawn inside FIN_WAIT_1).
      const { tsSec, tsNs } = wallClock();
      const table = await readTcpTable(this.route);
      for (const t of this.tracked.values()) {
        for (const side of ['client', 'server'] as const) {
          const local = side === 'client' ? t.client : t.server;
          const remote = side === 'client' ? t.server : t.client;
          const row = table.find((s) => s.local === local && s.remote === remote);
          // A socket that has left the table after being seen is closed.
          const state = row ? (kernelStateNames[row.state] ?? row.state) : t.last[side] !== null && t.last[side] !== 'CLOSED' ? 'CLOSED' : null;
          if (state === null || state === t.last[side]) continue;
          t.last[side] = state;
          this.onState({ tsSec, tsNs, client: t.client, side, state, timerSec: row?.timerSec ?? null });
        }
      }
    } finally {
      this.polling = false;
    }
  }
}
