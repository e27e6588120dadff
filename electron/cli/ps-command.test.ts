import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { runWirelab } from '../../test/support/spawn-cli.ts';

// Real processes with known shapes; every one is ended after the tests.
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});
function start(cmd: string, args: string[]): ChildProcess {
  const c = spawn(cmd, args, { stdio: 'ignore' });
  children.push(c);
  return c;
}
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Row {
  pid: number;
  ppid: number;
  name: string;
  user: string | null;
  state: string;
  threads: number;
  cpu: number;
  rssBytes: number;
  startTime: string;
  command: string;
}
async function ps(): Promise<Row[]> {
  const r = await runWirelab(['ps', '--json', '--interval', '400']);
  expect(r.code).toBe(0);
  return (JSON.parse(r.stdout) as { processes: Row[] }).processes;
}

describe.runIf(process.platform === 'linux')('wirelab ps', () => {
  it('reports a zombie under its parent, a stopped process, threads and a busy loop', async () => {
    // The shell starts `sleep 0.2`, then becomes `sleep 30`, which never reaps that child: a zombie.
    const parent = start('sh', ['-c', 'sleep 0.2 & exec sleep 30']);
    const stopped = start('sleep', ['30']);
    const threaded = start('python3', [
      '-c',
      'import threading,time\nfor _ in range(3): threading.Thread(target=time.sleep, args=(30,)).start()\ntime.sleep(30)',
    ]);
    const busy = start(process.execPath, ['-e', 'const end = Date.now() + 20000; while (Date.now() < end) {}']);
    await settle(600);
    stopped.kill('SIGSTOP');
    const rows = await ps();
    const byPid = new Map(rows.map((r) => [r.pid, r]));
    const zombie = rows.find((r) => r.ppid === parent.pid);
    expect(zombie).toMatchObject({ state: 'Z', name: 'sleep', command: '[sleep] <defunct>' });
    expect(byPid.get(parent.pid!)).toMatchObject({ name: 'sleep', command: 'sleep 30' });
    expect(byPid.get(stopped.pid!)?.state).toBe('T');
    expect(byPid.get(threaded.pid!)?.threads).toBe(4);
    // A busy loop gets a whole core on an idle machine, but its share falls with the machine's
    // load (43% seen in CI, 12–14% at load average 12 on 2 cores). A stopped or sleeping process
    // reads exactly 0, so any clear share tells them apart.
    expect(byPid.get(busy.pid!)!.cpu).toBeGreaterThan(3);
    expect(byPid.get(stopped.pid!)!.cpu).toBe(0);
    const me = byPid.get(process.pid)!;
    expect(me.user).toBe((await import('node:os')).userInfo().username);
    expect(me.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(Math.abs(Date.parse(byPid.get(busy.pid!)!.startTime) - Date.now())).toBeLessThan(60_000);
    stopped.kill('SIGCONT');
  });

  it('--threads lists a process’s threads by name and state', async () => {
    const threaded = start('python3', [
      '-c',
      'import threading,time\nfor i in range(2): threading.Thread(target=time.sleep, args=(30,), name=f"w{i}").start()\ntime.sleep(30)',
    ]);
    await settle(400);
    const r = await runWirelab(['ps', '--threads', String(threaded.pid), '--json', '--interval', '100']);
    const doc = JSON.parse(r.stdout) as { pid: number; threads: { tid: number; name: string; state: string; cpu: number }[] };
    expect(doc.pid).toBe(threaded.pid);
    expect(doc.threads).toHaveLength(3);
    expect(doc.threads.map((t) => t.tid)).toContain(threaded.pid);
    expect(doc.threads.every((t) => t.state === 'S')).toBe(true);
  });

  it('--sockets answers "who holds this port?"', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const r = await runWirelab(['ps', '--sockets', '--json']);
    server.close();
    const { sockets } = JSON.parse(r.stdout) as { sockets: { proto: string; local: string; state: string; pid: number | null; process: string | null }[] };
    expect(sockets.find((s) => s.local === `127.0.0.1:${port}`)).toMatchObject({ proto: 'tcp', state: 'LISTEN', pid: process.pid });
  });

  it('bad arguments: one line, exit 2', async () => {
    const r = await runWirelab(['ps', '--threads', 'abc', '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--threads must be a process id/);
    const gone = await runWirelab(['ps', '--threads', '4194303', '--json']);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toMatch(/no process 4194303/);
  });
});
