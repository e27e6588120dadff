import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import type { KernelState } from '../../../shared/contract/timeline.ts';
import { parseNetFile, type NetSocket } from '../../../shared/processes/proc-parse.ts';
import { kernelStateNames } from '../../../shared/timeline/tcp-state-machine.ts';
import { wallClock } from './wall-clock.ts';

/**
 * Confirms the long TCP states from the kernel's own socket table, without privileges:
 * /proc/net/tcp and tcp6 are world-readable on Linux. Polling cannot catch the microsecond
 * states on loopback (the notes), so those come from the packets; this shows ESTABLISHED,
 * CLOSE_WAIT, FIN_WAIT_2 and TIME_WAIT (with the kernel's own countdown) as the kernel sees them.
 */
export function kernelStatesSupported(): boolean {
  return process.platform === 'linux' && existsSync('/proc/net/tcp');
}

export async function readTcpTable(): Promise<NetSocket[]> {
  const read = (f: string) => readFile(f, 'utf8').catch(() => '');
  const [v4, v6] = await Promise.all([read('/proc/net/tcp'), read('/proc/net/tcp6')]);
  return [...parseNetFile(v4, 'tcp'), ...parseNetFile(v6, 'tcp6')];
}

interface Tracked {
  client: string;
  server: string;
  last: { client: string | null; server: string | null };
}

export class KernelStateWatcher {
  private readonly tracked = new Map<string, Tracked>();
  private timer: NodeJS.Timeout | null = null;
  private polling = false;

  constructor(
    private readonly onState: (k: KernelState) => void,
    private readonly intervalMs = 10,
  ) {}

  /** Follows one connection, named by its two endpoints ("ip:port", IPv6 in brackets). */
  track(client: string, server: string): void {
    const key = `${client} ${server}`;
    if (!this.tracked.has(key)) this.tracked.set(key, { client, server, last: { client: null, server: null } });
  }

  start(): void {
    if (this.timer || !kernelStatesSupported()) return;
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One look at the table; also called once more right before stopping. */
  async poll(): Promise<void> {
    if (this.polling || this.tracked.size === 0) return;
    this.polling = true;
    try {
      const table = await readTcpTable();
      const { tsSec, tsNs } = wallClock();
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
