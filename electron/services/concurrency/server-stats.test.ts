import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ServerStats } from './server-stats.ts';

describe('ServerStats', () => {
  it('counts a forking server and its children (Linux), and says nothing once it has gone or where there is no /proc', async () => {
    if (process.platform !== 'linux') {
      expect(new ServerStats(process.pid).read()).toBeNull();
      return;
    }
    // A shell with three sleeping children: the forking model's shape, four processes in all.
    // Detached: its own process group, so the children end with it below.
    const sh = spawn('sh', ['-c', 'sleep 20 & sleep 20 & sleep 20 & wait'], { stdio: 'ignore', detached: true });
    const exited = new Promise((r) => sh.once('exit', r));
    try {
      const stats = new ServerStats(sh.pid!);
      let seen = 0;
      for (let i = 0; i < 50 && seen < 4; i++) {
        await new Promise((r) => setTimeout(r, 50));
        seen = stats.read()?.processes ?? 0;
      }
      expect(seen).toBe(4);
      const r = stats.read()!;
      expect(r.threads).toBeGreaterThanOrEqual(4);
      expect(r.rssBytes).toBeGreaterThan(0);
    } finally {
      process.kill(-sh.pid!, 'SIGKILL');
    }
    await exited;
    expect(new ServerStats(sh.pid!).read()).toBeNull();
  });
});
