import { formatIPv6 } from '../subnet/ip.ts';

/**
 * Parsers for Linux /proc text (proc(5)). Pure: they take the file's text, so they are tested
 * without a /proc; the service does the reading.
 */

export interface ProcStat {
  pid: number;
  comm: string;
  /** R running, S sleeping, D disk wait, Z zombie, T stopped, t traced, I idle, X dead. */
  state: string;
  ppid: number;
  /** Clock ticks in user and kernel mode. */
  utime: number;
  stime: number;
  numThreads: number;
  /** Clock ticks after boot when the process started. */
  starttime: number;
  /** Resident pages. */
  rss: number;
}

/**
 * /proc/<pid>/stat. The name (field 2) is in parentheses and may itself contain spaces and
 * parentheses ("(my (odd) name)"), so split at the *last* ")".
 */
export function parseStat(text: string): ProcStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  // Fields after the name are single-space separated; only the first 22 are needed (up to rss),
  // and splitting with a limit skips the other ~30 at every sample.
  const f = text.slice(close + 2).split(' ', 22);
  // f[0] is field 3 (state); field n is f[n - 3].
  const num = (n: number) => Number(f[n - 3]);
  if (!Number.isInteger(pid) || f.length < 22) return null;
  return {
    pid,
    comm: text.slice(open + 1, close),
    state: f[0]!,
    ppid: num(4),
    utime: num(14),
    stime: num(15),
    numThreads: num(20),
    starttime: num(22),
    rss: num(24),
  };
}

/** The real uid from /proc/<pid>/status ("Uid:\treal\teffective\tsaved\tfs"). */
export function parseStatusUid(text: string): number | null {
  const m = /^Uid:\s+(\d+)/m.exec(text);
  return m ? Number(m[1]) : null;
}

/** /etc/passwd → uid → name. */
export function parsePasswd(text: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of text.split('\n')) {
    const [name, , uid] = line.split(':');
    if (name && uid && /^\d+$/.test(uid)) out.set(Number(uid), name);
  }
  return out;
}

/** TCP states as /proc/net/tcp numbers them (include/net/tcp_states.h). */
export const tcpStates: Record<number, string> = {
  1: 'ESTABLISHED', 2: 'SYN_SENT', 3: 'SYN_RECV', 4: 'FIN_WAIT1', 5: 'FIN_WAIT2', 6: 'TIME_WAIT',
  7: 'CLOSE', 8: 'CLOSE_WAIT', 9: 'LAST_ACK', 10: 'LISTEN', 11: 'CLOSING',
};

export interface NetSocket {
  proto: 'tcp' | 'tcp6' | 'udp' | 'udp6';
  local: string;
  remote: string;
  state: string;
  inode: number;
  uid: number;
  /** Seconds left on the socket's active timer (retransmit, keepalive, TIME_WAIT, zero-window probe); null if none. */
  timerSec: number | null;
}

/**
 * An address from /proc/net: IPv4 is one 32-bit word printed in host byte order (little-endian
 * on x86: 0100007F is 127.0.0.1); IPv6 is four such words. The port is big-endian hex.
 */
export function decodeProcAddress(hex: string): string {
  const [addr, portHex] = hex.split(':') as [string, string];
  const port = parseInt(portHex, 16);
  const word = (w: string) => [6, 4, 2, 0].map((i) => parseInt(w.slice(i, i + 2), 16));
  if (addr.length === 8) return `${word(addr).join('.')}:${port}`;
  let value = 0n;
  for (let i = 0; i < 32; i += 8) for (const b of word(addr.slice(i, i + 8))) value = (value << 8n) | BigInt(b);
  // RFC 5952 text, IPv4-mapped addresses in their dotted form — the subnet calculator's formatter.
  return `[${formatIPv6(value)}]:${port}`;
}

/** The "tr:tm->when" column: timer kind, then clock ticks left in hex (USER_HZ, 100 per second). */
function timerSeconds(field: string): number | null {
  const [tr, when] = field.split(':');
  if (!tr || !when || tr === '00') return null;
  return parseInt(when, 16) / 100;
}

export function parseNetFile(text: string, proto: NetSocket['proto']): NetSocket[] {
  const out: NetSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const st = parseInt(f[3]!, 16);
    out.push({
      proto,
      local: decodeProcAddress(f[1]!),
      remote: decodeProcAddress(f[2]!),
      // UDP has no states; the kernel reuses 07 (CLOSE) for unconnected and 01 for connected sockets.
      state: proto.startsWith('udp') ? (st === 1 ? 'ESTABLISHED' : 'UNCONN') : (tcpStates[st] ?? `0x${f[3]}`),
      uid: Number(f[7]),
      inode: Number(f[9]),
      timerSec: timerSeconds(f[5]!),
    });
  }
  return out;
}

/** CPU use over an interval as % of one core: Δticks / (Δseconds × CLK_TCK) × 100. */
export function cpuPercent(ticksBefore: number, ticksAfter: number, seconds: number, clkTck: number): number {
  if (seconds <= 0) return 0;
  return Math.round(((ticksAfter - ticksBefore) / (seconds * clkTck)) * 1000) / 10;
}
