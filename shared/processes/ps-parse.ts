/**
 * Parsers for the route used where there is no /proc (macOS; the notes: `ps` for processes,
 * `lsof` for sockets). Both tools print the same columns on Linux, which is how the route is
 * tested here; the differences — macOS has no thread-count column and writes CPU time as
 * m:ss.hh — are handled below.
 */

/** `ps` keywords, in order. lstart is five words ("Thu Nov 26 16:38:28 2026"); command is the rest of the line. */
export function psKeywords(withThreads: boolean): string {
  return `pid=,ppid=,stat=,rss=,time=,user=,lstart=,${withThreads ? 'nlwp=,' : ''}command=`;
}

export interface PsRow {
  pid: number;
  ppid: number;
  /** One /proc-style letter: R S D Z T I… (macOS's U, uninterruptible, becomes D; its I, idle, S). */
  state: string;
  rssBytes: number;
  /** User + system CPU time so far, in seconds. */
  cpuSeconds: number;
  user: string;
  startTime: string;
  threads: number | null;
  command: string;
  name: string;
}

/** "[[dd-]hh:]mm:ss[.ff]" (Linux procps: 00:01:02; macOS: 1:02.34) → seconds. */
export function parseCpuTime(text: string): number {
  const [days, rest] = text.includes('-') ? (text.split('-') as [string, string]) : ['0', text];
  const parts = rest.split(':').map(Number);
  let seconds = 0;
  for (const p of parts) seconds = seconds * 60 + p;
  return Number(days) * 86400 + seconds;
}

export function parsePs(text: string, withThreads: boolean, platform: string): PsRow[] {
  const rows: PsRow[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    const fixed = 11 + (withThreads ? 1 : 0);
    if (f.length <= fixed) continue;
    const [pid, ppid, stat, rss, time, user, ...more] = f as [string, string, string, string, string, string, ...string[]];
    const lstart = more.slice(0, 5).join(' ');
    const threads = withThreads ? Number(more[5]) : null;
    // The command is the rest of the line after the fixed columns, spaces kept.
    const command = f.slice(fixed).join(' ');
    let state = stat.charAt(0);
    if (platform === 'darwin') state = state === 'U' ? 'D' : state === 'I' ? 'S' : state;
    const started = Date.parse(lstart);
    const exe = command.split(' ')[0] ?? '';
    rows.push({
      pid: Number(pid),
      ppid: Number(ppid),
      state,
      rssBytes: Number(rss) * 1024,
      cpuSeconds: parseCpuTime(time),
      user,
      startTime: Number.isNaN(started) ? '' : new Date(started).toISOString(),
      threads: threads !== null && Number.isFinite(threads) ? threads : null,
      command,
      // Kernel threads print as [name]; otherwise the executable's base name.
      name: /^\[.*\]$/.test(command) ? command.slice(1, -1) : (exe.split('/').pop() ?? exe),
    });
  }
  return rows.filter((r) => Number.isInteger(r.pid) && r.pid > 0);
}

export interface LsofSocket {
  proto: 'tcp' | 'tcp6' | 'udp' | 'udp6';
  local: string;
  remote: string;
  state: string;
  pid: number;
  process: string;
}

/** `*:8080` (a wildcard bind) as the /proc route writes it. */
function address(text: string, v6: boolean): string {
  if (text.startsWith('*:')) return `${v6 ? '[::]' : '0.0.0.0'}:${text.slice(2)}`;
  return text;
}

/**
 * `lsof -nP -iTCP -iUDP -FpcPnT`: field lines — p<pid> starts a process, c<command>, then per
 * file P<protocol>, n<local[->remote]>, T<TST=state> (lsof(8), OUTPUT FOR OTHER PROGRAMS).
 */
export function parseLsof(text: string): LsofSocket[] {
  const out: LsofSocket[] = [];
  let pid = 0;
  let command = '';
  let proto = '';
  let cur: LsofSocket | null = null;
  for (const line of text.split('\n')) {
    const tag = line.charAt(0);
    const value = line.slice(1);
    if (tag === 'p') pid = Number(value);
    else if (tag === 'c') command = value;
    else if (tag === 'P') proto = value;
    else if (tag === 'n') {
      const [local = '', remote] = value.split('->');
      const v6 = local.startsWith('[') || (remote ?? '').startsWith('[');
      const tcp = proto === 'TCP';
      cur = {
        proto: `${tcp ? 'tcp' : 'udp'}${v6 ? '6' : ''}` as LsofSocket['proto'],
        local: address(local, v6),
        remote: remote ? address(remote, v6) : v6 ? '[::]:0' : '0.0.0.0:0',
        state: tcp ? 'CLOSED' : remote ? 'ESTABLISHED' : 'UNCONN',
        pid,
        process: command,
      };
      out.push(cur);
    } else if (tag === 'T' && cur && value.startsWith('ST=')) {
      // lsof spells the states as the kernel does, with _ (FIN_WAIT1 → FIN_WAIT1 as /proc does).
      cur.state = value.slice(3).replace('FIN_WAIT_1', 'FIN_WAIT1').replace('FIN_WAIT_2', 'FIN_WAIT2');
    }
  }
  return out;
}
