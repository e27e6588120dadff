import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ChildGuard } from './child-guard.ts';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** A detached `sleep` (its own process group, as the labs' and captures' children are). */
function sleeper(): ChildProcess {
  const c = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
  children.push(c);
  return c;
}

/** Whether `pid` still runs (a zombie waiting for its parent counts as ended). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function gone(pid: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (running(pid) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return !running(pid);
}

describe.runIf(process.platform === 'linux' && existsSync('/proc/uptime'))('the child guard and a host killed before it registered a child', () => {
  it('a child announced but never registered (the host died in between) is ended with the rest; an older process of the same name is not', async () => {
    const stranger = sleeper(); // started before the announcement: someone else's
    await new Promise((r) => setTimeout(r, 50));
    const guard = ChildGuard.start()!;
    expect(guard).not.toBeNull();
    guard.spawning('/bin/sleep');
    const orphan = sleeper(); // the host "dies" before guard.watchGroup(orphan.pid)
    // The pipe closes as it does when the host dies: the guard ends what it knows of.
    await guard.close();
    expect(await gone(orphan.pid!, 3000)).toBe(true);
    expect(running(stranger.pid!)).toBe(true);
  });

  it('once the spawn is registered the announcement is settled: a later process of that name is left alone', async () => {
    const guard = ChildGuard.start()!;
    guard.spawning('sleep');
    const mine = sleeper();
    guard.watchGroup(mine.pid);
    await new Promise((r) => setTimeout(r, 50));
    const later = sleeper(); // not Wirelab's: started after the registration settled the announcement
    await guard.close();
    expect(await gone(mine.pid!, 3000)).toBe(true);
    expect(running(later.pid!)).toBe(true);
  });
});
