import { endpointText } from '../timeline/tcp-streams.ts';

/**
 * netstat's socket table, where there is no /proc (macOS, Windows). Three spellings of the same
 * thing, told apart per line:
 * - Linux net-tools `netstat -tan`:  `tcp  0  0 127.0.0.1:631  0.0.0.0:*  LISTEN` (IPv6 `::1:631`, unbracketed)
 * - macOS `netstat -an -p tcp`:      `tcp4 0  0 127.0.0.1.631  *.*        LISTEN` (the port after the last ".")
 * - Windows `netstat -ano`:          `TCP  127.0.0.1:631  0.0.0.0:0  LISTENING  4242` (no queues; the pid last)
 * Addresses come out as the /proc route writes them ("0.0.0.0:631", "[::1]:631") and states in
 * the kernel's spelling (LISTEN, SYN_RECV, FIN_WAIT1, CLOSE), so every route reads the same.
 */
export interface NetstatSocket {
  proto: 'tcp' | 'tcp6' | 'udp' | 'udp6';
  local: string;
  remote: string;
  state: string;
  /** Only Windows' `-o` names the owner. */
  pid: number | null;
}

/** Every OS's name for a state → the kernel's (/proc's) name. Anything else is kept as printed. */
const stateNames: Record<string, string> = {
  LISTENING: 'LISTEN',
  LISTEN: 'LISTEN',
  ESTABLISHED: 'ESTABLISHED',
  SYN_SENT: 'SYN_SENT',
  SYN_RECEIVED: 'SYN_RECV',
  SYN_RCVD: 'SYN_RECV',
  SYN_RECV: 'SYN_RECV',
  FIN_WAIT_1: 'FIN_WAIT1',
  FIN_WAIT1: 'FIN_WAIT1',
  FIN_WAIT_2: 'FIN_WAIT2',
  FIN_WAIT2: 'FIN_WAIT2',
  CLOSE_WAIT: 'CLOSE_WAIT',
  CLOSING: 'CLOSING',
  LAST_ACK: 'LAST_ACK',
  TIME_WAIT: 'TIME_WAIT',
  CLOSED: 'CLOSE',
  CLOSE: 'CLOSE',
};

/**
 * One address with its port: the port follows the last ":" or "." (Linux and Windows use ":",
 * macOS "."), so "::1:631", "[::1]:631" and "::1.631" all read as ::1 port 631. "*" is the
 * wildcard; an IPv6 zone ("%lo0", "%7") is dropped, as /proc shows none.
 */
function address(text: string, v6: boolean): string | null {
  if (text === '*' || text === '*.*' || text === '*:*') return endpointText(v6 ? '::' : '0.0.0.0', 0);
  const m = /^(.*)[.:](\d+|\*)$/.exec(text);
  if (!m) return null;
  let host = m[1]!.replace(/^\[|\]$/g, '').replace(/%[^%]*$/, '');
  if (host === '*') host = v6 ? '::' : '0.0.0.0';
  return endpointText(host, m[2] === '*' ? 0 : Number(m[2]));
}

export function parseNetstat(text: string): NetstatSocket[] {
  const out: NetstatSocket[] = [];
  for (const line of text.split(/\r?\n/)) {
    const f = line.trim().split(/\s+/);
    const m = /^(tcp|udp)(4|6|46)?$/i.exec(f[0] ?? '');
    if (!m) continue; // headings, and the unix sockets Linux lists too
    const windows = f[0] === 'TCP' || f[0] === 'UDP';
    const tcp = m[1]!.toLowerCase() === 'tcp';
    // Windows has no queue columns; the others print Recv-Q and Send-Q first.
    const [localText = '', remoteText = '', ...rest] = windows ? f.slice(1) : f.slice(3);
    const v6 = m[2] === '6' || m[2] === '46' || localText.includes('[') || localText.split(':').length > 2;
    const local = address(localText, v6);
    const remote = address(remoteText, v6);
    if (!local || !remote) continue;
    // UDP has no state column (Windows prints the pid there).
    const stateText = tcp ? (rest[0] ?? '') : '';
    const state = tcp ? (stateNames[stateText] ?? stateText) : remote.endsWith(':0') ? 'UNCONN' : 'ESTABLISHED';
    const pidText = windows ? rest.at(-1) : undefined;
    out.push({
      proto: `${tcp ? 'tcp' : 'udp'}${v6 ? '6' : ''}` as NetstatSocket['proto'],
      local,
      remote,
      state,
      pid: pidText && /^\d+$/.test(pidText) ? Number(pidText) : null,
    });
  }
  return out;
}
