import { WirelabError } from '../contract/errors.ts';
import { formatIPv6 } from '../subnet/ip.ts';
import { endpointText } from '../timeline/tcp-streams.ts';

/**
 * The Windows route's pure half: the byte layouts Win32 fills in, read into the rows the rest of
 * the app uses (the /proc route's spelling). x64 layouts only (Wirelab ships x64 Windows builds):
 * - SYSTEM_PROCESS_INFORMATION (256 bytes) + SYSTEM_THREAD_INFORMATION (80 bytes each), from
 *   NtQuerySystemInformation(SystemProcessInformation); entries chained by NextEntryOffset, the
 *   image name a UNICODE_STRING whose Buffer points into the same block (hence `base`).
 * - MIB_TCPTABLE_OWNER_PID / MIB_TCP6TABLE_OWNER_PID / MIB_UDPTABLE_OWNER_PID /
 *   MIB_UDP6TABLE_OWNER_PID from GetExtendedTcpTable / GetExtendedUdpTable: a DWORD count, then
 *   rows; ports are in network byte order in the low two bytes of a DWORD.
 */

export interface WinThread {
  tid: number;
  /** Kernel + user time, 100 ns units. */
  cpu100ns: number;
  /** KTHREAD_STATE: 1 Ready, 2 Running, 5 Waiting, ...; Wine leaves 0 on every thread. */
  state: number;
  /** KWAIT_REASON while Waiting: 5 (Suspended) after NtSuspendProcess / SuspendThread. */
  waitReason: number;
}

export interface WinProcess {
  pid: number;
  ppid: number;
  name: string;
  threadCount: number;
  /** FILETIME: 100 ns units since 1601-01-01 UTC. */
  createTime: number;
  cpu100ns: number;
  workingSetBytes: number;
  threads: WinThread[];
}

const PROCESS_INFO_SIZE = 256;
const THREAD_INFO_SIZE = 80;

export function parseSystemProcesses(bytes: Uint8Array, base: bigint): WinProcess[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u64 = (o: number) => Number(v.getBigUint64(o, true));
  const out: WinProcess[] = [];
  let off = 0;
  for (;;) {
    if (off + PROCESS_INFO_SIZE > bytes.byteLength) break;
    const next = v.getUint32(off, true);
    const threadCount = v.getUint32(off + 4, true);
    const nameLen = v.getUint16(off + 56, true);
    const namePtr = v.getBigUint64(off + 64, true);
    const nameAt = Number(namePtr - base);
    const pid = u64(off + 80);
    // The Idle process (pid 0) has no image name; Task Manager calls it "System Idle Process".
    const name =
      namePtr !== 0n && nameAt >= 0 && nameAt + nameLen <= bytes.byteLength
        ? utf16(bytes.subarray(nameAt, nameAt + nameLen))
        : pid === 0
          ? 'System Idle Process'
          : '';
    const threads: WinThread[] = [];
    for (let i = 0; i < threadCount; i++) {
      const t = off + PROCESS_INFO_SIZE + i * THREAD_INFO_SIZE;
      if (t + THREAD_INFO_SIZE > bytes.byteLength) break;
      threads.push({ tid: u64(t + 48), cpu100ns: u64(t) + u64(t + 8), state: v.getUint32(t + 68, true), waitReason: v.getUint32(t + 72, true) });
    }
    out.push({
      pid,
      ppid: u64(off + 88),
      name,
      threadCount,
      createTime: u64(off + 32),
      cpu100ns: u64(off + 40) + u64(off + 48),
      workingSetBytes: u64(off + 144),
      threads,
    });
    if (next === 0) break;
    off += next;
  }
  return out;
}

function utf16(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i + 1 < b.length; i += 2) s += String.fromCharCode(b[i]! | (b[i + 1]! << 8));
  return s;
}

/** FILETIME (100 ns since 1601) → ISO text; the Idle and System processes have 0 (the Unix epoch is written then). */
const FILETIME_UNIX_EPOCH = 116444736000000000;
export function fileTimeToIso(ft: number): string {
  return ft > FILETIME_UNIX_EPOCH ? new Date((ft - FILETIME_UNIX_EPOCH) / 10_000).toISOString() : new Date(0).toISOString();
}

/** CPU over an interval as % of one core, from 100 ns units (the /proc route's cpuPercent, Windows' clock). */
export function cpuPercent100ns(before: number, after: number, seconds: number): number {
  if (seconds <= 0 || after < before) return 0;
  return Math.round(((after - before) / (seconds * 1e7)) * 1000) / 10;
}

const KTHREAD_READY = 1,
  KTHREAD_RUNNING = 2,
  KTHREAD_STANDBY = 3,
  KTHREAD_WAITING = 5,
  KTHREAD_DEFERRED_READY = 7;
const WAIT_SUSPENDED = 5;

/** Whether the OS filled the thread states (real Windows does; Wine 8.0 leaves every one 0). */
export function hasThreadStates(threads: WinThread[]): boolean {
  return threads.some((t) => t.state !== 0);
}

/**
 * One thread's state in the letters the panel uses (ps's): R running or ready to run, S waiting,
 * T suspended. `suspendCount` comes from NtQueryInformationThread(ThreadSuspendCount) where the
 * OS gave no state (Wine).
 */
export function threadState(t: WinThread, suspendCount: number | null = null): string {
  if (suspendCount !== null && suspendCount > 0) return 'T';
  if (t.state === KTHREAD_WAITING) return t.waitReason === WAIT_SUSPENDED ? 'T' : 'S';
  if (t.state === KTHREAD_READY || t.state === KTHREAD_RUNNING || t.state === KTHREAD_STANDBY || t.state === KTHREAD_DEFERRED_READY) return 'R';
  return suspendCount === null ? '?' : 'S';
}

/**
 * A process's state from its threads: T when every thread is suspended (NtSuspendProcess
 * suspends them all), R when one runs or is ready, else S. Without thread states (Wine) the
 * caller passes whether the first thread is suspended, and CPU time moving means R.
 */
export function processState(p: WinProcess, cpu: number, firstThreadSuspended: boolean | null): string {
  if (p.pid === 0) return 'I'; // the Idle process: its "threads" are the idle loops of the cores
  if (hasThreadStates(p.threads)) {
    const letters = p.threads.map((t) => threadState(t));
    if (letters.length > 0 && letters.every((l) => l === 'T')) return 'T';
    return letters.includes('R') ? 'R' : 'S';
  }
  if (firstThreadSuspended) return 'T';
  return cpu > 0 ? 'R' : 'S';
}

/** MIB_TCP_STATE (1..12) → the kernel's (/proc's) names, which every other route uses. */
export const winTcpStates: Record<number, string> = {
  1: 'CLOSE',
  2: 'LISTEN',
  3: 'SYN_SENT',
  4: 'SYN_RECV',
  5: 'ESTABLISHED',
  6: 'FIN_WAIT1',
  7: 'FIN_WAIT2',
  8: 'CLOSE_WAIT',
  9: 'CLOSING',
  10: 'LAST_ACK',
  11: 'TIME_WAIT',
  // A TCB being deleted: the socket is going; Linux has no such state, CLOSE is what follows.
  12: 'CLOSE',
};

export interface WinSocket {
  proto: 'tcp' | 'tcp6' | 'udp' | 'udp6';
  local: string;
  remote: string;
  state: string;
  /** The owner as the table gives it; 0 where Windows names none (TIME_WAIT rows) or Wine fills none. */
  ownerPid: number;
}

function ipv4(v: DataView, o: number): string {
  return `${v.getUint8(o)}.${v.getUint8(o + 1)}.${v.getUint8(o + 2)}.${v.getUint8(o + 3)}`;
}
function ipv6(v: DataView, o: number): string {
  let value = 0n;
  for (let i = 0; i < 16; i++) value = (value << 8n) | BigInt(v.getUint8(o + i));
  return formatIPv6(value);
}
/** dwLocalPort/dwRemotePort: the port in network byte order in the DWORD's first two bytes. */
const port = (v: DataView, o: number) => v.getUint16(o, false);

export function parseTcpTable(bytes: Uint8Array, v6: boolean): WinSocket[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 4) return [];
  const n = v.getUint32(0, true);
  const size = v6 ? 56 : 24;
  const out: WinSocket[] = [];
  for (let i = 0; i < n && 4 + (i + 1) * size <= bytes.byteLength; i++) {
    const r = 4 + i * size;
    if (v6) {
      // ucLocalAddr[16], dwLocalScopeId, dwLocalPort, ucRemoteAddr[16], dwRemoteScopeId, dwRemotePort, dwState, dwOwningPid
      const st = v.getUint32(r + 48, true);
      out.push({
        proto: 'tcp6',
        local: endpointText(ipv6(v, r), port(v, r + 20)),
        remote: endpointText(ipv6(v, r + 24), st === 2 ? 0 : port(v, r + 44)),
        state: winTcpStates[st] ?? String(st),
        ownerPid: v.getUint32(r + 52, true),
      });
    } else {
      // dwState, dwLocalAddr, dwLocalPort, dwRemoteAddr, dwRemotePort, dwOwningPid
      const st = v.getUint32(r, true);
      // A listener's remote port is garbage on Windows (netstat prints 0): it has no peer.
      const remotePort = st === 2 ? 0 : port(v, r + 16);
      out.push({
        proto: 'tcp',
        local: endpointText(ipv4(v, r + 4), port(v, r + 8)),
        remote: endpointText(ipv4(v, r + 12), remotePort),
        state: winTcpStates[st] ?? String(st),
        ownerPid: v.getUint32(r + 20, true),
      });
    }
  }
  return out;
}

/**
 * The tables without owners, for the timeline's watcher, which asks 50× a second and needs no
 * owner: TCP_TABLE_BASIC_ALL (IPv4, MIB_TCPROW: dwState, dwLocalAddr, dwLocalPort, dwRemoteAddr,
 * dwRemotePort) and GetTcp6Table (MIB_TCP6ROW: State, LocalAddr[16], dwLocalScopeId,
 * dwLocalPort, RemoteAddr[16], dwRemoteScopeId, dwRemotePort). Under Wine the owner classes
 * cost ~45 ms a call against ~3 ms for these.
 */
export function parseTcpBasicTable(bytes: Uint8Array, v6: boolean): WinSocket[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 4) return [];
  const n = v.getUint32(0, true);
  const size = v6 ? 52 : 20;
  const out: WinSocket[] = [];
  for (let i = 0; i < n && 4 + (i + 1) * size <= bytes.byteLength; i++) {
    const r = 4 + i * size;
    const st = v.getUint32(r, true);
    const state = winTcpStates[st] ?? String(st);
    if (v6) {
      out.push({
        proto: 'tcp6',
        local: endpointText(ipv6(v, r + 4), port(v, r + 24)),
        remote: endpointText(ipv6(v, r + 28), st === 2 ? 0 : port(v, r + 48)),
        state,
        ownerPid: 0,
      });
    } else {
      out.push({
        proto: 'tcp',
        local: endpointText(ipv4(v, r + 4), port(v, r + 8)),
        remote: endpointText(ipv4(v, r + 12), st === 2 ? 0 : port(v, r + 16)),
        state,
        ownerPid: 0,
      });
    }
  }
  return out;
}

/** UDP rows have no peer and no state: "UNCONN" with a zero remote, as /proc's route writes them. */
export function parseUdpTable(bytes: Uint8Array, v6: boolean): WinSocket[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 4) return [];
  const n = v.getUint32(0, true);
  const size = v6 ? 28 : 12;
  const out: WinSocket[] = [];
  for (let i = 0; i < n && 4 + (i + 1) * size <= bytes.byteLength; i++) {
    const r = 4 + i * size;
    out.push(
      v6
        ? { proto: 'udp6', local: endpointText(ipv6(v, r), port(v, r + 20)), remote: '[::]:0', state: 'UNCONN', ownerPid: v.getUint32(r + 24, true) }
        : { proto: 'udp', local: endpointText(ipv4(v, r), port(v, r + 4)), remote: '0.0.0.0:0', state: 'UNCONN', ownerPid: v.getUint32(r + 8, true) },
    );
  }
  return out;
}

/**
 * The owner join: the table's pid → the process's name from the same moment's process list.
 * Pid 0 is nobody's (Windows writes it on TIME_WAIT rows; Wine 8.0 on every row): "unknown
 * owner", as the /proc route says of sockets it may not inspect.
 */
export function joinOwners(
  rows: WinSocket[],
  names: ReadonlyMap<number, string>,
): { proto: WinSocket['proto']; local: string; remote: string; state: string; pid: number | null; process: string | null }[] {
  return rows.map(({ ownerPid, ...s }) =>
    ownerPid === 0 ? { ...s, pid: null, process: null } : { ...s, pid: ownerPid, process: names.get(ownerPid) ?? null },
  );
}

/** Win32 error (GetLastError) and NTSTATUS values the signal paths meet. */
export const ERROR_ACCESS_DENIED = 5;
export const ERROR_INVALID_PARAMETER = 87;
export const STATUS_ACCESS_DENIED = 0xc0000022;
export const STATUS_PROCESS_IS_TERMINATING = 0xc000010a;

/**
 * Why Windows refused to end, suspend or resume a process, as the contract's typed error.
 * ACCESS_DENIED is what a process of another user, a service or an elevated process gives a
 * normal user's Wirelab; OpenProcess of a pid that does not exist fails with
 * ERROR_INVALID_PARAMETER, the same answer Linux gives as ESRCH.
 */
export function win32ProcessError(value: number, pid: number, action: 'terminate' | 'suspend' | 'resume'): WirelabError {
  if (value === ERROR_ACCESS_DENIED || value === STATUS_ACCESS_DENIED) {
    return new WirelabError(
      'ACCESS_DENIED',
      `pid: Windows denied access to ${action} process ${pid}: it belongs to another user, is a service, or runs elevated. Only its owner or an administrator may; Wirelab does not ask for elevation.`,
      'pid',
      { pid, action },
    );
  }
  if (value === ERROR_INVALID_PARAMETER || value === STATUS_PROCESS_IS_TERMINATING)
    return new WirelabError('ESRCH', `No process ${pid}: it has already exited.`, 'pid', { pid });
  const hex = `0x${value.toString(16).toUpperCase()}`;
  return new WirelabError('WIN32_ERROR', `pid: could not ${action} process ${pid} (Windows error ${value > 0xffff ? hex : value}).`, 'pid', {
    pid,
    action,
    error: value,
  });
}
