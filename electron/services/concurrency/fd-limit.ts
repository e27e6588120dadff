import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { findExecutable } from '../find-executable.ts';

/**
 * This process's open-file limit (RLIMIT_NOFILE, getrlimit(2)): every connection costs one
 * descriptor, so it caps how many connections a load can hold. Node raises its own soft limit to
 * the hard one at start-up; the hard limit is the user's to raise (ulimit -Hn as root,
 * LimitNOFILE= in a systemd unit, `nofile` in /etc/security/limits.conf).
 */
export function fdLimit(): { soft: number; hard: number } | null {
  try {
    // "Max open files            20000                20000                files"
    const m = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (!m) return null;
    const n = (s: string) => (s === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(s));
    return { soft: n(m[1]!), hard: n(m[2]!) };
  } catch {
    // Windows has no such limit (handles are not counted this way).
    if (process.platform === 'win32') return null;
    // Asked once where there is no /proc (macOS): the limits do not change while Wirelab runs.
    return (shellLimits ??= shellFdLimit());
  }
}

let shellLimits: { soft: number; hard: number } | null | undefined;

/** `ulimit` is a shell builtin: the fixed script runs without any input of the user's. */
function shellFdLimit(): { soft: number; hard: number } | null {
  const r = spawnSync('/bin/sh', ['-c', 'ulimit -Sn; ulimit -Hn'], { encoding: 'utf8' });
  const [soft, hard] = (r.stdout ?? '')
    .trim()
    .split('\n')
    .map((s) => (s === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(s)));
  return soft && hard ? { soft, hard } : null;
}

/**
 * Raises this process's soft limit to the hard one where something left it lower (Electron, a
 * host started under a low `ulimit -Sn`): util-linux's prlimit(1) sets another process's limits
 * (prlimit(2) needs no privilege to raise the soft limit up to the hard one). Returns the limits
 * now in force.
 */
export function raiseFdLimit(): { soft: number; hard: number } | null {
  const now = fdLimit();
  if (!now || now.soft >= now.hard || process.platform !== 'linux') return now;
  const prlimit = findExecutable('prlimit');
  if (prlimit) spawnSync(prlimit, ['--pid', String(process.pid), `--nofile=${now.hard}:${now.hard}`], { stdio: 'ignore' });
  return fdLimit();
}

/** How to raise the limit, in the words the FD_LIMIT error quotes. */
export function fdLimitAdvice(need: number): string {
  return `raise it before starting Wirelab: \`ulimit -n ${need}\` in the shell (up to the hard limit, \`ulimit -Hn\`; a higher hard limit needs root: \`nofile\` in /etc/security/limits.conf, or LimitNOFILE=${need} in a systemd unit)`;
}
