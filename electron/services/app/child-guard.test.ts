import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.ts';
import { ChildGuard } from './child-guard.ts';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/**
 * A program of a name nothing else on the machine runs (a link to `sleep`): the guard matches
 * an announced child by name, and must not take another test's `sleep` for it.
 */
async function uniqueSleep(): Promise<{ path: string; start: () => ChildProcess }> {
  // 15 characters at most: the kernel keeps that much of a program's name.
  const path = join(await tempDir(), `wlg-${process.pid % 100_000}-${Math.floor(Math.random() * 10_000)}`);
  symlinkSync('/bin/sleep', path);
  return {
    path,
    start: () => {
      const c = spawn(path, ['30'], { detached: true, stdio: 'ignore' });
      children.push(c);
      return c;
    },
  };
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

async function ended(pid: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (running(pid) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return !running(pid);
}

describe.runIf(process.platform === 'linux' && existsSync('/proc/uptime'))('the child guard and a host killed before it registered a child', () => {
  it('a child announced but never registered (the host died in between) is ended; an older process of the same name is not', async () => {
    const program = await uniqueSleep();
    const stranger = program.start(); // started before the announcement: someone else's
    await new Promise((r) => setTimeout(r, 50));
    const guard = ChildGuard.start()!;
    expect(guard).not.toBeNull();
    // The host "dies" between the spawn and its registration: the pipe closes as it would then.
    const orphan = guard.announced(program.path, () => {
      const c = program.start();
      void guard.close();
      return c;
    });
    expect(await ended(orphan.pid!, 3000)).toBe(true);
    expect(running(stranger.pid!)).toBe(true);
  });

  it('an announcement is settled once its spawn is registered: a later process of that name is left alone', async () => {
    const program = await uniqueSleep();
    const guard = ChildGuard.start()!;
    const mine = guard.announced(program.path, () => {
      const c = program.start();
      guard.watchGroup(c.pid);
      return c;
    });
    // A spawn that throws settles its announcement too.
    expect(() =>
      guard.announced(program.path, () => {
        throw new Error('E2BIG');
      }),
    ).toThrow('E2BIG');
    await new Promise((r) => setTimeout(r, 50));
    const later = program.start(); // not announced: someone else's
    await guard.close();
    expect(await ended(mine.pid!, 3000)).toBe(true);
    expect(running(later.pid!)).toBe(true);
  });
});
