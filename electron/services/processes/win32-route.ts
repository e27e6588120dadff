import { cpus } from 'node:os';
import type { SignalName } from '../../../shared/contract/processes.ts';
import {
  cpuPercent100ns,
  fileTimeToIso,
  hasThreadStates,
  joinOwners,
  parseSystemProcesses,
  parseTcpBasicTable,
  parseTcpTable,
  parseUdpTable,
  processState,
  threadState,
  ERROR_INVALID_PARAMETER,
  win32ProcessError,
  type WinProcess,
  type WinSocket,
} from '../../../shared/processes/win32-parse.ts';
import type { ProcessSample } from './process-sampler.ts';
import type { ProcessRow, SocketRow, ThreadRow } from './proc-reader.ts';
import { win32Api, type Win32Api } from './win32-api.ts';

/**
 * The process monitor's Windows route, through the Win32 API (koffi), behind the same
 * interface as /proc and ps/lsof. One NtQuerySystemInformation(SystemProcessInformation) call
 * per sample gives every process with its threads and CPU times (0.3 ms under Wine for ~10
 * processes; no process is started per sample, as the notes ask of Windows).
 * The owner and the command line need a handle to the process, so they are read once per new
 * process (pid + creation time, as a pid can be reused). Sockets come from
 * GetExtendedTcpTable / GetExtendedUdpTable with their owner pids. Tested under Wine
 * (win32-route.wine.test.ts); the byte layouts in shared/processes/win32-parse.ts.
 */

const SystemProcessInformation = 5;
const ProcessBasicInformation = 0;
const ThreadSuspendCount = 35;
const ProcessCommandLineInformation = 60;
const STATUS_INFO_LENGTH_MISMATCH = 0xc0000004;
const ERROR_INSUFFICIENT_BUFFER = 122;
const STILL_ACTIVE = 259;
const PROCESS_TERMINATE = 0x0001;
const PROCESS_VM_READ = 0x0010;
const PROCESS_QUERY_INFORMATION = 0x0400;
const PROCESS_SUSPEND_RESUME = 0x0800;
const PROCESS_QUERY_LIMITED_INFORMATION = 0x1000;
const SYNCHRONIZE = 0x0010_0000;
const THREAD_QUERY_INFORMATION = 0x0040;
const THREAD_QUERY_LIMITED_INFORMATION = 0x0800;
const TOKEN_QUERY = 0x0008;
const TokenUser = 1;
const AF_INET = 2;
const AF_INET6 = 23;
const TCP_TABLE_OWNER_PID_ALL = 5;
const UDP_TABLE_OWNER_PID = 1;

/** What the panel shows where Windows would not let Wirelab read a process's command line. */
export const ACCESS_DENIED_COMMAND = '<access denied>';

/** A growing buffer reused between calls, so a sample allocates nothing once warm. */
class Scratch {
  buf = Buffer.alloc(256 * 1024);
  /** A quarter more than asked for: a busy host's socket table grows between the two calls. */
  grow(need: number): void {
    this.buf = Buffer.alloc(Math.max(Math.ceil(need * 1.25) + 64 * 1024, this.buf.length * 2));
  }
}

const systemScratch = new Scratch();

/** Every process with its threads: one system call, retried with a bigger buffer while the list outgrows it. */
export function readSystemProcesses(w: Win32Api = win32Api()): WinProcess[] {
  const ret = [0];
  for (let attempt = 0; attempt < 8; attempt++) {
    const st = (w.NtQuerySystemInformation(SystemProcessInformation, systemScratch.buf, systemScratch.buf.length, ret) as number) >>> 0;
    if (st === 0) return parseSystemProcesses(systemScratch.buf.subarray(0, ret[0]), w.koffi.address(systemScratch.buf));
    if (st !== STATUS_INFO_LENGTH_MISMATCH) throw new Error(`NtQuerySystemInformation failed (NTSTATUS 0x${st.toString(16)})`);
    systemScratch.grow(ret[0]!);
  }
  throw new Error('NtQuerySystemInformation: the process list kept growing');
}

function withProcess<T>(w: Win32Api, pid: number, access: number, use: (h: unknown) => T): T | null {
  const h = w.OpenProcess(access, 0, pid);
  if (!h) return null;
  try {
    return use(h);
  } finally {
    w.CloseHandle(h);
  }
}

/** The token's user as DOMAIN\name (what Task Manager's details show), or null where the token is closed to us. */
function processUser(w: Win32Api, pid: number): string | null {
  return withProcess(w, pid, PROCESS_QUERY_LIMITED_INFORMATION, (h) => {
    const token: unknown[] = [null];
    if (!w.OpenProcessToken(h, TOKEN_QUERY, token)) return null;
    try {
      const buf = Buffer.alloc(256);
      const ret = [0];
      if (!w.GetTokenInformation(token[0], TokenUser, buf, buf.length, ret)) return null;
      // TOKEN_USER { SID_AND_ATTRIBUTES { PSID Sid; DWORD Attributes } }: Sid points into buf.
      const sidAt = Number(buf.readBigUInt64LE(0) - w.koffi.address(buf));
      if (sidAt < 0 || sidAt >= buf.length) return null;
      const name = Buffer.alloc(512);
      const domain = Buffer.alloc(512);
      const nameLen = [256];
      const domainLen = [256];
      if (!w.LookupAccountSidW(null, w.koffi.as(buf.subarray(sidAt), 'void *'), name, nameLen, domain, domainLen, [0])) return null;
      const n = name.toString('utf16le', 0, nameLen[0]! * 2);
      const d = domain.toString('utf16le', 0, domainLen[0]! * 2);
      return d ? `${d}\\${n}` : n;
    } finally {
      w.CloseHandle(token[0]);
    }
  });
}

function unicodeStringAt(buf: Buffer): { length: number; address: bigint } {
  return { length: buf.readUInt16LE(0), address: buf.readBigUInt64LE(8) };
}

/**
 * The command line: ProcessCommandLineInformation (Windows 8.1+) where the OS has it; else (Wine
 * 8.0 answers STATUS_INVALID_INFO_CLASS) read from the process's PEB → ProcessParameters →
 * CommandLine, the classic way (x64 offsets 0x20 and 0x70). null when access is denied.
 */
function commandLine(w: Win32Api, pid: number): string | null {
  const viaClass = withProcess(w, pid, PROCESS_QUERY_LIMITED_INFORMATION, (h) => {
    const buf = Buffer.alloc(64 * 1024);
    const ret = [0];
    if ((w.NtQueryInformationProcess(h, ProcessCommandLineInformation, buf, buf.length, ret) as number) !== 0) return null;
    const s = unicodeStringAt(buf);
    const at = Number(s.address - w.koffi.address(buf));
    return at >= 0 && at + s.length <= buf.length ? buf.toString('utf16le', at, at + s.length) : null;
  });
  if (viaClass !== null) return viaClass;
  return withProcess(w, pid, PROCESS_QUERY_INFORMATION | PROCESS_VM_READ, (h) => {
    const read = (address: bigint, size: number): Buffer | null => {
      const b = Buffer.alloc(size);
      return w.ReadProcessMemory(h, address, b, size, [0]) ? b : null;
    };
    const pbi = Buffer.alloc(48);
    if ((w.NtQueryInformationProcess(h, ProcessBasicInformation, pbi, pbi.length, [0]) as number) !== 0) return null;
    const peb = pbi.readBigUInt64LE(8);
    const params = peb ? read(peb + 0x20n, 8)?.readBigUInt64LE(0) : undefined;
    const us = params ? read(params + 0x70n, 16) : null;
    if (!us) return null;
    const s = unicodeStringAt(us);
    const text = s.length > 0 ? read(s.address, s.length) : null;
    return text ? text.toString('utf16le') : null;
  });
}

/** Whether a thread is suspended (NtSuspendProcess raises every thread's suspend count). */
function suspendCount(w: Win32Api, tid: number): number | null {
  const h = w.OpenThread(THREAD_QUERY_LIMITED_INFORMATION | THREAD_QUERY_INFORMATION, 0, tid);
  if (!h) return null;
  try {
    const b = Buffer.alloc(4);
    return (w.NtQueryInformationThread(h, ThreadSuspendCount, b, 4, [0]) as number) === 0 ? b.readUInt32LE(0) : null;
  } finally {
    w.CloseHandle(h);
  }
}

interface Known {
  createTime: number;
  cpu100ns: number;
  user: string | null;
  command: string;
  startTime: string;
  row: ProcessRow;
  seen: number;
}

export class Win32Sampler {
  private readonly w = win32Api();
  private readonly known = new Map<number, Known>();
  private lastAt = 0;
  private generation = 0;
  private readonly cores = cpus().length;
  private threadCpu = new Map<number, { at: number; cpu: Map<number, number> }>();

  sample(): ProcessSample {
    const t0 = performance.now();
    const seconds = this.lastAt ? (t0 - this.lastAt) / 1000 : 0;
    const gen = ++this.generation;
    const added: number[] = [];
    const removed: ProcessRow[] = [];
    const rows: ProcessRow[] = [];
    for (const p of readSystemProcesses(this.w)) {
      let k = this.known.get(p.pid);
      let cpu = 0;
      if (k && k.createTime === p.createTime) {
        if (seconds > 0) cpu = cpuPercent100ns(k.cpu100ns, p.cpu100ns, seconds);
      } else {
        if (k) removed.push(k.row);
        const command = p.pid === 0 || p.pid === 4 ? `[${p.name}]` : (commandLine(this.w, p.pid) ?? `${p.name} ${ACCESS_DENIED_COMMAND}`);
        k = {
          createTime: p.createTime,
          cpu100ns: p.cpu100ns,
          user: p.pid === 0 || p.pid === 4 ? 'NT AUTHORITY\\SYSTEM' : processUser(this.w, p.pid),
          command,
          startTime: fileTimeToIso(p.createTime),
          row: null as unknown as ProcessRow,
          seen: gen,
        };
        this.known.set(p.pid, k);
        if (this.lastAt) added.push(p.pid);
      }
      // Without thread states (Wine) the first thread's suspend count tells a stopped process.
      const firstSuspended = !hasThreadStates(p.threads) && p.threads[0] ? (suspendCount(this.w, p.threads[0].tid) ?? 0) > 0 : null;
      const state = processState(p, cpu, firstSuspended);
      const prev = k.row;
      if (!(
        prev &&
        prev.cpu === cpu &&
        prev.state === state &&
        prev.ppid === p.ppid &&
        prev.threads === p.threadCount &&
        prev.rssBytes === p.workingSetBytes
      )) {
        k.row = {
          pid: p.pid,
          ppid: p.ppid,
          name: p.name,
          user: k.user,
          state,
          threads: p.threadCount,
          cpu,
          rssBytes: p.workingSetBytes,
          startTime: k.startTime,
          command: k.command,
        };
      }
      k.cpu100ns = p.cpu100ns;
      k.seen = gen;
      rows.push(k.row);
    }
    for (const [pid, k] of this.known) {
      if (k.seen === gen) continue;
      removed.push(k.row);
      this.known.delete(pid);
    }
    this.lastAt = t0;
    return { at: Date.now(), tookMs: performance.now() - t0, cores: this.cores, processes: rows, added, removed };
  }

  /** The threads of one process from the same system call, CPU since the previous call for that pid. */
  threads(pid: number): ThreadRow[] | null {
    const p = readSystemProcesses(this.w).find((q) => q.pid === pid);
    if (!p) return null;
    const now = performance.now();
    const prev = this.threadCpu.get(pid);
    const cpu = new Map<number, number>();
    const states = hasThreadStates(p.threads);
    const rows = p.threads.map((t) => {
      cpu.set(t.tid, t.cpu100ns);
      const before = prev?.cpu.get(t.tid);
      // Windows threads have descriptions only where the program set one; the image name otherwise, as ps shows comm.
      return {
        tid: t.tid,
        name: p.name,
        state: threadState(t, states ? null : suspendCount(this.w, t.tid)),
        cpu: prev && before !== undefined ? cpuPercent100ns(before, t.cpu100ns, (now - prev.at) / 1000) : 0,
      };
    });
    this.threadCpu.delete(pid);
    this.threadCpu.set(pid, { at: now, cpu });
    while (this.threadCpu.size > 8) this.threadCpu.delete(this.threadCpu.keys().next().value!);
    return rows;
  }

  close(): void {}
}

const tableScratch = new Scratch();

function readTable(w: Win32Api, tcp: boolean, af: number): Buffer {
  const size = [tableScratch.buf.length];
  for (let attempt = 0; attempt < 8; attempt++) {
    size[0] = tableScratch.buf.length;
    const rc = tcp
      ? (w.GetExtendedTcpTable(tableScratch.buf, size, 0, af, TCP_TABLE_OWNER_PID_ALL, 0) as number)
      : (w.GetExtendedUdpTable(tableScratch.buf, size, 0, af, UDP_TABLE_OWNER_PID, 0) as number);
    if (rc === 0) return tableScratch.buf.subarray(0, size[0]);
    if (rc !== ERROR_INSUFFICIENT_BUFFER) return Buffer.alloc(0); // e.g. no IPv6 stack: no rows
    tableScratch.grow(size[0]!);
  }
  return Buffer.alloc(0);
}

/** The TCP tables (IPv4 then IPv6) with Windows' owner pids, states in the kernel's names. */
export function readTcpTablesWin32(w: Win32Api = win32Api()): WinSocket[] {
  return [...parseTcpTable(readTable(w, true, AF_INET), false), ...parseTcpTable(readTable(w, true, AF_INET6), true)];
}

const TCP_TABLE_BASIC_ALL = 2;
const basicScratch = new Scratch();

function readBasic(call: (buf: Buffer, size: number[]) => number): Buffer {
  const size = [0];
  for (let attempt = 0; attempt < 8; attempt++) {
    size[0] = basicScratch.buf.length;
    const rc = call(basicScratch.buf, size);
    if (rc === 0) return basicScratch.buf.subarray(0, size[0]);
    if (rc !== ERROR_INSUFFICIENT_BUFFER) return Buffer.alloc(0);
    basicScratch.grow(size[0]!);
  }
  return Buffer.alloc(0);
}

/**
 * The TCP tables without owners (the timeline's kernel states, asked 50× a second): finding
 * owners is most of a table's cost (under Wine ~45 ms a call against ~3 ms without), and the
 * timeline knows its sockets by their endpoints. TCP_TABLE_BASIC_ALL is IPv4 only, so IPv6
 * comes from GetTcp6Table.
 */
export function readTcpStatesWin32(w: Win32Api = win32Api()): WinSocket[] {
  const v4 = parseTcpBasicTable(
    readBasic((b, size) => w.GetExtendedTcpTable(b, size, 0, AF_INET, TCP_TABLE_BASIC_ALL, 0) as number),
    false,
  );
  const v6 = parseTcpBasicTable(
    readBasic((b, size) => w.GetTcp6Table(b, size, 0) as number),
    true,
  );
  return [...v4, ...v6];
}

/** Every TCP and UDP socket with its owner's pid and image name. */
export function listSocketsWin32(onlyPid?: number): SocketRow[] {
  const w = win32Api();
  const rows = [...readTcpTablesWin32(w), ...parseUdpTable(readTable(w, false, AF_INET), false), ...parseUdpTable(readTable(w, false, AF_INET6), true)];
  const names = new Map(readSystemProcesses(w).map((p) => [p.pid, p.name]));
  return joinOwners(rows, names).filter((s) => onlyPid === undefined || s.pid === onlyPid);
}

/**
 * Windows has no signals: SIGTERM and SIGKILL both end the process with TerminateProcess (as
 * Node's process.kill does there — no chance to clean up), SIGSTOP and SIGCONT suspend and
 * resume every thread with NtSuspendProcess / NtResumeProcess (what Process Explorer's
 * Suspend does). A refusal is a typed error (ACCESS_DENIED, ESRCH).
 */
export function signalWin32(pid: number, signal: SignalName): { sent: true } {
  const w = win32Api();
  const action = signal === 'SIGSTOP' ? 'suspend' : signal === 'SIGCONT' ? 'resume' : 'terminate';
  const access = (action === 'terminate' ? PROCESS_TERMINATE : PROCESS_SUSPEND_RESUME) | PROCESS_QUERY_LIMITED_INFORMATION;
  const h = w.OpenProcess(access, 0, pid);
  if (!h) throw win32ProcessError(w.GetLastError() as number, pid, action);
  try {
    // A process that has exited stays openable while anyone (its parent, say) holds a handle
    // to it — Windows' nearest thing to a zombie: its exit code is no longer STILL_ACTIVE.
    const code = [0];
    if (w.GetExitCodeProcess(h, code) && code[0] !== STILL_ACTIVE) throw win32ProcessError(ERROR_INVALID_PARAMETER, pid, action);
    if (action === 'terminate') {
      // Exit code 1, as Task Manager's End task gives.
      if (!w.TerminateProcess(h, 1)) throw win32ProcessError(w.GetLastError() as number, pid, action);
    } else {
      const st = ((action === 'suspend' ? w.NtSuspendProcess(h) : w.NtResumeProcess(h)) as number) >>> 0;
      if (st !== 0) throw win32ProcessError(st, pid, action);
    }
  } finally {
    w.CloseHandle(h);
  }
  return { sent: true };
}

/**
 * Opens and keeps a handle to a process (SYNCHRONIZE and exit-code queries only): while it is
 * open, the process object outlives the process — its exit code readable, its pid not reused.
 * Windows' answer to a zombie (the zombie lab). Returns the closer, or null if it could not open.
 */
export function holdProcess(pid: number): (() => void) | null {
  const w = win32Api();
  const h = w.OpenProcess(SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION, 0, pid) || w.OpenProcess(SYNCHRONIZE | PROCESS_QUERY_INFORMATION, 0, pid);
  if (!h) return null;
  let open = true;
  return () => {
    if (open) w.CloseHandle(h);
    open = false;
  };
}

/** A process's exit code through a fresh handle: null while it runs or once its object is gone (no handle left). */
export function exitCodeWin32(pid: number): number | null {
  const w = win32Api();
  const h = w.OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid) || w.OpenProcess(PROCESS_QUERY_INFORMATION, 0, pid);
  if (!h) return null;
  try {
    const code = [0];
    return w.GetExitCodeProcess(h, code) && code[0] !== STILL_ACTIVE ? code[0]! : null;
  } finally {
    w.CloseHandle(h);
  }
}
