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
  /**
   * Field 28, the stack's start address: exec(2) builds a new stack (at a random address under
   * ASLR, and at another offset for other arguments), so a change means the process exec'd even
   * when its name stayed the same (python3 exec'ing python3). 0 for a kernel thread, a zombie, a
   * process of another user (the kernel hides it without ptrace access) or a line cut short.
   */
  startStack: number;
}

/**
 * /proc/<pid>/stat. The name (field 2) is in parentheses and may itself contain spaces and
 * parentheses ("(my (odd) name)"), so split at the *last* ")".
 */
export function parseStat(text: string): ProcStat | null {
  const bytes = new TextEncoder().encode(text);
  return parseStatBytes(bytes, bytes.length);
}

const SPACE = 0x20;
const decoder = new TextDecoder();

/**
 * The same, straight from the bytes read (the sampler's hot path: one call per process per
 * second). Walking the bytes once and building only the numbers needed costs a third of
 * decoding the line and splitting it (measured at 1,000 processes). The name sits between the
 * first "(" and the LAST ")", because a name may itself contain ") " (proc(5)).
 */
export function parseStatBytes(buf: Uint8Array, length: number): ProcStat | null {
  let close = length - 1;
  while (close > 0 && buf[close] !== 0x29) close--;
  let pid = 0;
  let i = 0;
  for (; i < length && buf[i] !== SPACE; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) return null;
    pid = pid * 10 + d;
  }
  const open = i + 1;
  if (i === 0 || buf[open] !== 0x28 || close <= open) return null;
  // Fields after the name are single-space separated; field 3 is the state letter. Only the
  // fields up to 28 (startstack) are read, so the ~24 after it cost nothing.
  const state = String.fromCharCode(buf[close + 2]!);
  let field = 3;
  let value = 0;
  let ppid = 0,
    utime = 0,
    stime = 0,
    numThreads = 0,
    starttime = 0,
    rss = 0;
  const stat = (startStack: number): ProcStat => ({
    pid,
    comm: decoder.decode(buf.subarray(open + 1, close)),
    state,
    ppid,
    utime,
    stime,
    numThreads,
    starttime,
    rss,
    startStack,
  });
  for (i = close + 3; i <= length; i++) {
    const c = i < length ? buf[i]! : SPACE;
    if (c === SPACE || c === 0x0a) {
      switch (field) {
        case 4:
          ppid = value;
          break;
        case 14:
          utime = value;
          break;
        case 15:
          stime = value;
          break;
        case 20:
          numThreads = value;
          break;
        case 22:
          starttime = value;
          break;
        case 24:
          rss = value;
          break;
        case 28:
          return stat(value);
      }
      field++;
      value = 0;
    } else if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
    }
  }
  // A line that ends after rss but before startstack (older kernels, tests): no exec hint.
  return field > 24 ? stat(0) : null;
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
  1: 'ESTABLISHED',
  2: 'SYN_SENT',
  3: 'SYN_RECV',
  4: 'FIN_WAIT1',
  5: 'FIN_WAIT2',
  6: 'TIME_WAIT',
  7: 'CLOSE',
  8: 'CLOSE_WAIT',
  9: 'LAST_ACK',
  10: 'LISTEN',
  11: 'CLOSING',
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
