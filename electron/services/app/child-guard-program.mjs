// Wirelab's child guard: a tiny plain-Node program, one per host, that outlives the host just long
// enough to end what the host started. The host holds the write end of this program's stdin;
// the kernel closes it however the host ends (exit, crash, SIGKILL), so EOF here means "the host
// is gone" with no cooperation from the host. Then every registered process group and pid, and
// every descendant of theirs (found through /proc by ppid: orphans re-parented to init keep their
// process group, daemons are registered by pid), gets SIGKILL, the registered folders are removed,
// and the guard exits.
//
// Lines on stdin (the host writes them as it spawns):
//   g <pgid> <starttime>   a process group (a child spawned with detached: true leads its own)
//   p <pid> <starttime>    a single process that left its group (orphan, daemon)
//   - <pid>                forget that group or pid (it ended normally)
//   d <path>               a folder to remove when the host is gone
//   s <id> <uptime> <comm> a detached child named <comm> is about to be spawned (uptime: the
//                          host's /proc/uptime, seconds)
//   x <id>                 that spawn is over: registered, or it never started
// A host killed after the kernel started such a child but before the host ran again to register
// it (a loaded machine can take a while) leaves an "s" open: the guard then also ends the process
// group leaders named <comm> that started since <uptime>. That is the child, or (rarely) someone
// else's process of the same name that became a group leader in those few milliseconds.
// starttime is field 22 of /proc/<pid>/stat (clock ticks since boot), so a pid the kernel has
// reused for someone else's process is never signalled; 0 where there is no /proc.
//
// argv[2]: the host's pid, polled once a second as well, in case the pipe's write end leaked into
// another process and EOF never comes.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { setInterval, setTimeout } from 'node:timers';

const hostPid = Number(process.argv[2]);
const groups = new Map();
const pids = new Map();
const folders = new Set();
/** Spawns announced with "s" and not yet settled by their "x", by id. */
const pending = new Map();
/** Linux's USER_HZ: /proc/<pid>/stat's starttime counts these since boot (proc(5)). */
const ticksPerSecond = 100;
let buffered = '';
let ending = false;

function apply(line) {
  const [op, a, b, c] = line.trim().split(' ');
  const pid = Number(a);
  if (op === 's') pending.set(a, { since: Number(b) || 0, comm: (c ?? '').slice(0, 15) });
  else if (op === 'x') pending.delete(a);
  else if (op === 'd' && line.length > 2) folders.add(line.slice(2).trim());
  else if (!Number.isInteger(pid) || pid <= 1) return;
  else if (op === 'g') groups.set(pid, Number(b) || 0);
  else if (op === 'p') pids.set(pid, Number(b) || 0);
  else if (op === '-') {
    groups.delete(pid);
    pids.delete(pid);
  }
}

/** pid, ppid, pgrp, state and starttime of every process, from /proc/<pid>/stat (proc(5)); null without /proc. */
function snapshot() {
  let names;
  try {
    names = readdirSync('/proc');
  } catch {
    return null;
  }
  const list = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command name (field 2) may hold spaces and parentheses: split after the last ')'.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      list.push({ pid: Number(name), comm, state: f[0], ppid: Number(f[1]), pgrp: Number(f[2]), start: Number(f[19]) });
    } catch {
      /* exited while we looked */
    }
  }
  return list;
}

/** The processes to end: members of registered groups, registered pids, and all their descendants. */
function targets(procs) {
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  const chosen = new Set();
  for (const p of procs) {
    const groupStart = groups.get(p.pgrp);
    // A member of a group started no earlier than its leader did; an older one is a stranger
    // whose group id merely matches a reused pid.
    if (groupStart !== undefined && (!groupStart || p.start >= groupStart)) chosen.add(p.pid);
    const start = pids.get(p.pid);
    if (start !== undefined && (!start || p.start === start)) chosen.add(p.pid);
    // An announced spawn the host died before registering: a group leader of that name that
    // started since the announcement (a tick of slack for the two clocks' rounding).
    for (const s of pending.values()) if (p.pgrp === p.pid && s.since > 0 && s.comm === p.comm && p.start / ticksPerSecond >= s.since - 0.02) chosen.add(p.pid);
  }
  // Descendants, by ppid, to any depth (a child that setsid()'d itself away is still a child).
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of procs) {
      if (!chosen.has(p.pid) && chosen.has(p.ppid) && byPid.has(p.ppid)) {
        chosen.add(p.pid);
        grew = true;
      }
    }
  }
  // A zombie is already dead; it goes when its parent (or init) reaps it.
  return [...chosen].filter((pid) => byPid.get(pid).state !== 'Z');
}

function kill(target) {
  try {
    process.kill(target, 'SIGKILL');
  } catch {
    /* gone already, or not ours */
  }
}

async function end() {
  if (ending) return;
  ending = true;
  if (buffered) apply(buffered);
  // A few rounds: a process forking while we kill it leaves a child the next round finds.
  for (let round = 0; round < 20; round++) {
    const procs = snapshot();
    if (!procs) {
      // No /proc (macOS): whole groups and the registered pids are what can be reached.
      for (const g of groups.keys()) kill(-g);
      for (const p of pids.keys()) kill(p);
      break;
    }
    const list = targets(procs);
    if (list.length === 0) break;
    for (const g of groups.keys()) if (list.includes(g)) kill(-g);
    for (const pid of list) kill(pid);
    await new Promise((r) => setTimeout(r, 25));
  }
  for (const folder of folders) {
    try {
      rmSync(folder, { recursive: true, force: true });
    } catch {
      /* nothing more can be done; the next start sweeps leftovers */
    }
  }
  process.exit(0);
}

process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffered += chunk;
  const lines = buffered.split('\n');
  buffered = lines.pop() ?? '';
  for (const line of lines) apply(line);
});
process.stdin.on('end', end);
process.stdin.on('close', end);
process.stdin.on('error', end);
// The guard ends only after cleaning up: signals meant for the host's terminal do not stop it.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, end);
setInterval(() => {
  try {
    process.kill(hostPid, 0);
  } catch (e) {
    if (e.code === 'ESRCH') void end();
  }
}, 1000);
