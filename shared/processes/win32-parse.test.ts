import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kernelStateNames } from '../timeline/tcp-state-machine.ts';
import {
  cpuPercent100ns,
  fileTimeToIso,
  joinOwners,
  parseSystemProcesses,
  parseTcpBasicTable,
  parseTcpTable,
  parseUdpTable,
  processState,
  threadState,
  win32ProcessError,
  winTcpStates,
  type WinProcess,
  type WinThread,
} from './win32-parse.ts';

/**
 * Buffers recorded from Windows Node under Wine 8.0 (testdata/wine-8.0-win32-tables.json): the
 * recording listened on 127.0.0.1 and ::1 (TCP and UDP) and connected a client to each TCP
 * listener. Wine wrote the owner pid on the IPv4 client's row and the UDP sockets, but 0 on
 * the TCP listeners (Windows itself writes 0 only on TIME_WAIT rows): both cases of the owner
 * join are recorded ones.
 */
const rec = JSON.parse(readFileSync(new URL('./testdata/wine-8.0-win32-tables.json', import.meta.url), 'utf8')) as {
  selfPid: number;
  ports: { tcp4: number; tcp6: number; client: number; client6: number; udp4: number; udp6: number };
  processes: { base: string; bytes: string };
  tcp4: string;
  tcp6: string;
  udp4: string;
  udp6: string;
  tcp4basic: string;
  tcp6basic: string;
};
const bytes = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));
const procs = parseSystemProcesses(bytes(rec.processes.bytes), BigInt(rec.processes.base));

describe('SystemProcessInformation', () => {
  it('reads every process with its parent, image name, threads, times and working set', () => {
    const names = procs.map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['node.exe', 'services.exe', 'explorer.exe', 'plugplay.exe']));
    const self = procs.find((p) => p.pid === rec.selfPid)!;
    expect(self).toMatchObject({ name: 'node.exe', ppid: 0 });
    expect(self.threads.length).toBe(self.threadCount);
    expect(self.threadCount).toBeGreaterThanOrEqual(5); // Node's main thread, libuv's pool, V8's platform workers
    expect(new Set(self.threads.map((t) => t.tid)).size).toBe(self.threadCount);
    expect(self.workingSetBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(self.cpu100ns).toBeGreaterThan(0);
    expect(fileTimeToIso(self.createTime)).toMatch(/^20\d\d-\d\d-\d\dT/);
    // services.exe starts the others: the tree has parents that exist.
    const services = procs.find((p) => p.name === 'services.exe')!;
    expect(procs.filter((p) => p.ppid === services.pid).length).toBeGreaterThanOrEqual(2);
  });

  it('stops at a truncated block instead of reading past it', () => {
    const b = bytes(rec.processes.bytes);
    expect(parseSystemProcesses(b.subarray(0, 300), BigInt(rec.processes.base)).length).toBe(1);
    expect(parseSystemProcesses(b.subarray(0, 100), BigInt(rec.processes.base))).toEqual([]);
  });
});

describe('TCP and UDP tables', () => {
  it('reads IPv4 rows with the kernel’s state names and a zero remote on listeners', () => {
    const rows = parseTcpTable(bytes(rec.tcp4), false);
    expect(rows).toContainEqual({ proto: 'tcp', local: `127.0.0.1:${rec.ports.tcp4}`, remote: '0.0.0.0:0', state: 'LISTEN', ownerPid: 0 });
    expect(rows).toContainEqual({
      proto: 'tcp',
      local: `127.0.0.1:${rec.ports.client}`,
      remote: `127.0.0.1:${rec.ports.tcp4}`,
      state: 'ESTABLISHED',
      ownerPid: rec.selfPid,
    });
    expect(rows).toContainEqual(
      expect.objectContaining({ local: `127.0.0.1:${rec.ports.tcp4}`, remote: `127.0.0.1:${rec.ports.client}`, state: 'ESTABLISHED' }),
    );
    expect(rows.filter((r) => r.state === 'TIME_WAIT').length).toBe(2);
  });

  it('reads IPv6 and UDP rows as the /proc route writes them', () => {
    const v6 = parseTcpTable(bytes(rec.tcp6), true);
    expect(v6).toContainEqual({ proto: 'tcp6', local: `[::1]:${rec.ports.tcp6}`, remote: '[::]:0', state: 'LISTEN', ownerPid: 0 });
    // Wine filled the IPv4 client's owner but not the IPv6 one's.
    expect(v6).toContainEqual({ proto: 'tcp6', local: `[::1]:${rec.ports.client6}`, remote: `[::1]:${rec.ports.tcp6}`, state: 'ESTABLISHED', ownerPid: 0 });
    expect(parseUdpTable(bytes(rec.udp4), false)).toContainEqual({
      proto: 'udp',
      local: `127.0.0.1:${rec.ports.udp4}`,
      remote: '0.0.0.0:0',
      state: 'UNCONN',
      ownerPid: rec.selfPid,
    });
    expect(parseUdpTable(bytes(rec.udp6), true)).toContainEqual({
      proto: 'udp6',
      local: `[::1]:${rec.ports.udp6}`,
      remote: '[::]:0',
      state: 'UNCONN',
      ownerPid: rec.selfPid,
    });
  });

  it('reads the owner-less tables (the timeline’s) as the same rows without owners', () => {
    const strip = (rows: ReturnType<typeof parseTcpTable>) => rows.map((r) => ({ ...r, ownerPid: 0 }));
    expect(parseTcpBasicTable(bytes(rec.tcp4basic), false)).toEqual(strip(parseTcpTable(bytes(rec.tcp4), false)));
    expect(parseTcpBasicTable(bytes(rec.tcp6basic), true)).toEqual(strip(parseTcpTable(bytes(rec.tcp6), true)));
    expect(parseTcpBasicTable(bytes(rec.tcp6basic), true)).toContainEqual({
      proto: 'tcp6',
      local: `[::1]:${rec.ports.tcp6}`,
      remote: `[::1]:${rec.ports.client6}`,
      state: 'ESTABLISHED',
      ownerPid: 0,
    });
  });

  it('joins owners to names from the same recording; pid 0 is an unknown owner', () => {
    const names = new Map(procs.map((p) => [p.pid, p.name]));
    const joined = joinOwners(parseTcpTable(bytes(rec.tcp4), false), names);
    expect(joined).toContainEqual({
      proto: 'tcp',
      local: `127.0.0.1:${rec.ports.client}`,
      remote: `127.0.0.1:${rec.ports.tcp4}`,
      state: 'ESTABLISHED',
      pid: rec.selfPid,
      process: 'node.exe',
    });
    expect(joined).toContainEqual({ proto: 'tcp', local: `127.0.0.1:${rec.ports.tcp4}`, remote: '0.0.0.0:0', state: 'LISTEN', pid: null, process: null });
    // An owner that has exited since the table was read keeps its pid, without a name.
    const gone = joinOwners([{ proto: 'udp', local: '127.0.0.1:9', remote: '0.0.0.0:0', state: 'UNCONN', ownerPid: 999_999 }], names);
    expect(gone).toEqual([{ proto: 'udp', local: '127.0.0.1:9', remote: '0.0.0.0:0', state: 'UNCONN', pid: 999_999, process: null }]);
  });

  it('maps every MIB_TCP_STATE to a state the timeline knows', () => {
    for (let st = 1; st <= 12; st++) expect(kernelStateNames[winTcpStates[st]!], `state ${st}`).toBeDefined();
    expect([winTcpStates[4], winTcpStates[6], winTcpStates[7], winTcpStates[11]]).toEqual(['SYN_RECV', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT']);
  });

  it('reads no rows from a short or empty buffer', () => {
    expect(parseTcpTable(new Uint8Array(0), false)).toEqual([]);
    expect(parseTcpTable(bytes(rec.tcp4).subarray(0, 30), false).length).toBe(1);
  });
});

describe('states, CPU and times', () => {
  const thread = (state: number, waitReason = 0): WinThread => ({ tid: 1, cpu100ns: 0, state, waitReason });
  const proc = (threads: WinThread[]): WinProcess => ({
    pid: 100,
    ppid: 4,
    name: 'x.exe',
    threadCount: threads.length,
    createTime: 0,
    cpu100ns: 0,
    workingSetBytes: 0,
    threads,
  });

  it('T when every thread waits suspended, R when one runs, S when all wait', () => {
    expect(processState(proc([thread(5, 5), thread(5, 5)]), 0, null)).toBe('T');
    expect(processState(proc([thread(5, 5), thread(2)]), 0, null)).toBe('R');
    expect(processState(proc([thread(5, 6), thread(5, 13)]), 0, null)).toBe('S');
    expect(threadState(thread(1))).toBe('R');
  });

  it('without thread states (Wine) uses the suspend count, then CPU time moving', () => {
    expect(processState(proc([thread(0), thread(0)]), 0, true)).toBe('T');
    expect(processState(proc([thread(0)]), 3.5, false)).toBe('R');
    expect(processState(proc([thread(0)]), 0, false)).toBe('S');
    expect(threadState(thread(0), 1)).toBe('T');
    expect(threadState(thread(0), 0)).toBe('S');
  });

  it('CPU % of one core from 100 ns units; FILETIME to ISO', () => {
    expect(cpuPercent100ns(0, 1e7, 1)).toBe(100);
    expect(cpuPercent100ns(5e6, 1e7, 2)).toBe(25);
    expect(cpuPercent100ns(10, 5, 1)).toBe(0); // a reused pid's counters restart
    expect(fileTimeToIso(116444736000000000 + 86400 * 1e7)).toBe('1970-01-02T00:00:00.000Z');
  });
});

describe('errors', () => {
  it('ACCESS_DENIED from Win32 and NT, ESRCH for a pid that has gone, the number otherwise', () => {
    for (const v of [5, 0xc0000022]) {
      const e = win32ProcessError(v, 4, 'terminate');
      expect({ code: e.code, field: e.field }).toEqual({ code: 'ACCESS_DENIED', field: 'pid' });
      expect(e.message).toMatch(/denied access to terminate process 4.*administrator/);
    }
    expect(win32ProcessError(87, 1234, 'suspend').code).toBe('ESRCH');
    const other = win32ProcessError(0xc0000008, 1234, 'resume');
    expect(other.code).toBe('WIN32_ERROR');
    expect(other.message).toContain('0xC0000008');
  });
});
