import type { WirelabError } from '../../../shared/contract/errors.ts';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessSampleData } from '../../../shared/contract/processes.ts';
import { EventHub } from '../../core/event-hub.ts';
import { explainSignalError, ProcessService } from './process-service.ts';

/** Real processes only: children with known threads, labs, a listening socket, signals. */
let hub: EventHub;
let service: ProcessService;
const samples: ProcessSampleData[] = [];
const children: ChildProcess[] = [];

beforeAll(() => {
  hub = new EventHub();
  service = new ProcessService(hub);
  hub.on('processes.sample', (s) => samples.push(s));
  expect(service.configure(true, 250)).toMatchObject({ supported: true, running: true, intervalMs: 250 });
});
afterAll(async () => {
  await service.dispose();
});
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

function child(cmd: string, args: string[]): ChildProcess {
  const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(c);
  return c;
}

/** Waits (≤ 8 s) for a sample where `find` returns something. */
async function until<T>(find: (s: ProcessSampleData) => T | undefined | null | false): Promise<T> {
  const deadline = Date.now() + 8000;
  let seen = samples.length;
  while (Date.now() < deadline) {
    for (; seen < samples.length; seen++) {
      const r = find(samples[seen]!);
      if (r) return r;
    }
    await new Promise((r) => setTimeout(r, 30));
  }
  throw new Error('no sample matched within 8 s');
}
const row = (pid: number) => (s: ProcessSampleData) => s.processes.find((p) => p.pid === pid);

describe('process sampler on a worker thread', () => {
  it('reports a Python process with 4 threads as 5 threads, and lists them with their names', async () => {
    const py = child('python3', [
      '-c',
      "import threading,time\nfor i in range(4): threading.Thread(target=time.sleep, args=(30,), name=f'w{i}').start()\nprint('ready', flush=True)\ntime.sleep(30)",
    ]);
    await new Promise((r) => py.stdout!.once('data', r));
    const r = await until((s) => s.processes.find((p) => p.pid === py.pid && p.threads === 5));
    expect(r).toMatchObject({ ppid: process.pid, name: 'python3', state: 'S' });
    expect(r.command).toMatch(/python3\S* -c import threading/);
    const details = await service.details(py.pid!);
    expect(details!.threads).toHaveLength(5);
    expect(details!.threads!.every((t) => t.state === 'S')).toBe(true);
  });

  it('counts a Node process with 3 worker_threads as 3 threads more than one without', async () => {
    const code = (n: number) =>
      `const {Worker}=require('node:worker_threads');for(let i=0;i<${n};i++)new Worker('setInterval(()=>{},1e6)',{eval:true});setTimeout(()=>console.log('ready'),300);setInterval(()=>{},1e6)`;
    const plain = child(process.execPath, ['-e', code(0)]);
    const three = child(process.execPath, ['-e', code(3)]);
    await Promise.all([plain, three].map((c) => new Promise((r) => c.stdout!.once('data', r))));
    const [a, b] = await until((s) => {
      const x = row(plain.pid!)(s);
      const y = row(three.pid!)(s);
      return x && y ? [x, y] : null;
    });
    expect(b.threads! - a.threads!).toBeGreaterThanOrEqual(3);
    expect(b.threads! - a.threads!).toBeLessThanOrEqual(4);
  });

  it('a busy loop reads most of one core (over 40% even on a loaded 2-core machine); a sleeping process 0', async () => {
    const busy = child(process.execPath, ['-e', 'const e=Date.now()+4000;while(Date.now()<e);']);
    const idle = child('sleep', ['10']);
    const [b, i] = await until((s) => {
      const x = row(busy.pid!)(s);
      const y = row(idle.pid!)(s);
      return x && y && x.cpu > 40 ? [x, y] : null;
    });
    expect(b.state).toBe('R');
    expect(b.cpu).toBeLessThanOrEqual(110);
    expect(i.cpu).toBe(0);
  });

  it('marks new processes as added and gone ones as removed', async () => {
    // Long enough to be seen in several samples (every 250 ms) even when a loaded machine delays one.
    const short = child('sleep', ['1.5']);
    await until((s) => s.added.includes(short.pid!));
    const gone = await until((s) => s.removed.find((r) => r.pid === short.pid));
    expect(gone.name).toBe('sleep');
  });

  it('names the owner of a listening socket (who holds port N?)', async () => {
    const srv = child(process.execPath, [
      '-e',
      "const s=require('net').createServer().listen(0,'127.0.0.1',()=>console.log(s.address().port));setInterval(()=>{},1e6)",
    ]);
    const port = Number(await new Promise<string>((r) => srv.stdout!.once('data', (d: Buffer) => r(d.toString().trim()))));
    const sockets = await service.sockets();
    expect(sockets.find((s) => s.local === `127.0.0.1:${port}`)).toMatchObject({ proto: 'tcp', state: 'LISTEN', pid: srv.pid, process: 'node' });
    const details = await service.details(srv.pid!);
    expect(details!.sockets.map((s) => s.local)).toContain(`127.0.0.1:${port}`);
  });
});

describe('labs', () => {
  it('zombie: a Z row under a parent that never reaps; stopping the lab ends both', async () => {
    const lab = await service.labStart('zombie');
    const [parent, zombie] = lab.pids as [number, number];
    const z = await until((s) => s.processes.find((p) => p.pid === zombie && p.state === 'Z'));
    expect(z.ppid).toBe(parent);
    expect(z.command).toBe('[sleep] <defunct>');
    expect((await until(row(parent))).command).toBe('sleep 3600');
    expect(samples.at(-1)!.labs.map((l) => l.id)).toContain(lab.id);
    expect(service.labStop(lab.id)).toBe(true);
    await until((s) => !s.processes.some((p) => p.pid === parent || p.pid === zombie));
  });

  it('orphan: the child outlives its shell and is re-parented', async () => {
    const lab = await service.labStart('orphan');
    const [orphan] = lab.pids as [number];
    const r = await until((s) => {
      const p = row(orphan)(s);
      return p && p.ppid !== process.pid && !s.processes.some((q) => q.pid === p.ppid && q.name === 'sh') ? p : null;
    });
    expect(r.name).toBe('sleep');
    service.labStop(lab.id);
    await until((s) => !row(orphan)(s));
  });

  it('stopped: T; SIGCONT wakes it (S); SIGTERM ends it', async () => {
    const lab = await service.labStart('stopped');
    const [pid] = lab.pids as [number];
    await until((s) => row(pid)(s)?.state === 'T');
    expect(service.signal(pid, 'SIGCONT')).toEqual({ sent: true });
    await until((s) => row(pid)(s)?.state === 'S');
    service.signal(pid, 'SIGTERM');
    await until((s) => s.removed.some((r) => r.pid === pid));
    service.labStop(lab.id);
  });

  it('daemon: its own session, parent gone; pool and threads start their processes', async () => {
    const daemon = await service.labStart('daemon');
    const [d] = daemon.pids as [number];
    // Field 6 of /proc/<pid>/stat is the session id; setsid runs a moment after the shell reports the pid.
    const sessionOf = (pid: number) =>
      Number(
        readFileSync(`/proc/${pid}/stat`, 'utf8')
          .replace(/^.*\) /, '')
          .split(' ')[3],
      );
    for (let i = 0; i < 100 && sessionOf(d) !== d; i++) await new Promise((r) => setTimeout(r, 20));
    expect(sessionOf(d)).toBe(d);
    const pool = await service.labStart('pool', 3);
    expect(pool.pids).toHaveLength(3);
    await until((s) => pool.pids.every((p) => row(p)(s)?.ppid === process.pid));
    const threads = await service.labStart('threads', 4);
    await until((s) => (row(threads.pids[0]!)(s)?.threads ?? 0) >= 8);
    for (const l of [daemon, pool, threads]) service.labStop(l.id);
    await until((s) => ![d, ...pool.pids, ...threads.pids].some((p) => row(p)(s)));
  });
});

describe('labs whose processes exit', () => {
  it('names the pids that have exited (killed from outside), and a lab whose pids all exited as finished', async () => {
    const lab = await service.labStart('pool', 2);
    const [a, b] = lab.pids as [number, number];
    expect(service.labs.list().find((l) => l.id === lab.id)?.exited).toEqual([]);
    process.kill(a, 'SIGKILL');
    await until((s) => s.labs.find((l) => l.id === lab.id)?.exited.includes(a));
    expect(service.labs.list().find((l) => l.id === lab.id)?.exited).toEqual([a]);
    process.kill(b, 'SIGKILL');
    await until((s) => s.labs.find((l) => l.id === lab.id)?.exited.length === 2);
    expect(service.labStop(lab.id)).toBe(true);
  });
});

describe('labs that teach with CPU numbers', () => {
  it('producer/consumer: the spinning consumer thread runs (R, most of a core), the waiting one sleeps', async () => {
    const lab = await service.labStart('producer-consumer');
    const [pid] = lab.pids as [number];
    try {
      await until(row(pid));
      await service.details(pid); // the first call sets the per-thread baseline
      await new Promise((r) => setTimeout(r, 1200));
      const d = (await service.details(pid))!;
      const [top, next] = [...d.threads!].sort((a, b) => b.cpu - a.cpu);
      // The spinner takes what a core it can get (less on a loaded CI machine); the rest idle.
      expect(top!.state).toBe('R');
      expect(top!.cpu).toBeGreaterThan(30);
      expect(next!.cpu).toBeLessThan(20);
      expect(d.threads!.filter((t) => t.state === 'S').length).toBeGreaterThanOrEqual(d.threads!.length - 2);
    } finally {
      service.labStop(lab.id);
    }
  });

  it('GIL: two CPU-bound Python threads share about one core between them', async () => {
    const lab = await service.labStart('gil');
    const [pid] = lab.pids as [number];
    try {
      // Three samples in: the threads phase runs for 20 s, so this is inside it.
      const r = await until((s) => {
        const p = row(pid)(s);
        return p && p.threads === 3 && p.cpu > 0 && s.at - lab.startedAt > 1500 ? p : null;
      });
      // With two cores free, two threads without a GIL would read ~200%; Python's read ≤ ~100%.
      expect(r.cpu).toBeGreaterThan(25);
      expect(r.cpu).toBeLessThan(130);
    } finally {
      service.labStop(lab.id);
    }
  });
});

describe('signals', () => {
  it('refuses init and Wirelab itself; a process that has gone is named as gone', () => {
    expect(() => service.signal(1, 'SIGTERM')).toThrow(/will not signal process 1/);
    expect(() => service.signal(process.pid, 'SIGKILL')).toThrow(/that is Wirelab itself/);
    const done = spawnSync('true');
    expect(() => service.signal(done.pid!, 'SIGTERM')).toThrow(/No process \d+: it has already exited/);
  });

  it('explains EPERM as another user would meet it (a real kill(2) refused for nobody)', () => {
    if (!existsSync('/usr/bin/setpriv')) throw new Error('setpriv (util-linux) is needed for this test');
    const r = spawnSync(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', `try{process.kill(${process.pid},0)}catch(e){console.log(e.code)}`],
      { encoding: 'utf8' },
    );
    const code = r.stdout.trim();
    expect(code).toBe('EPERM');
    const err = explainSignalError(code, process.pid, 'SIGTERM');
    expect(err.message).toMatch(/Not allowed to send SIGTERM to \d+: it belongs to another user/);
    expect(err.field).toBe('pid');
    // What the UI words it from (the code and the pid and signal it names).
    expect(err.toData()).toMatchObject({ code: 'EPERM', params: { pid: process.pid, signal: 'SIGTERM' } });
  });

  it('gives every refusal a code and the params the UI words it from', () => {
    const refusal = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as WirelabError).toData();
      }
      throw new Error('not refused');
    };
    expect(refusal(() => service.signal(1, 'SIGTERM'))).toMatchObject({ code: 'SIGNAL_REFUSED_INIT', field: 'pid', params: { pid: 1 } });
    // Worded for the host that runs: the browser host has no window to quit from.
    const browser = refusal(() => service.signal(process.pid, 'SIGKILL'));
    expect(browser).toMatchObject({ code: 'SIGNAL_REFUSED_SELF', params: { pid: process.pid, variant: 'browser' } });
    expect(browser.message).toContain('Ctrl+C');
    expect(browser.message).not.toContain('window');
    const electron = refusal(() => new ProcessService(new EventHub(), undefined, 'auto', 'electron').signal(process.pid, 'SIGTERM'));
    expect(electron).toMatchObject({ code: 'SIGNAL_REFUSED_SELF', params: { variant: 'electron' } });
    expect(electron.message).toContain('window');
    const done = spawnSync('true');
    expect(refusal(() => service.signal(done.pid!, 'SIGTERM'))).toMatchObject({ code: 'ESRCH', params: { pid: done.pid } });
    expect(explainSignalError('EINVAL', 42, 'SIGSTOP').toData()).toMatchObject({
      code: 'SIGNAL_FAILED',
      params: { pid: 42, signal: 'SIGSTOP', errno: 'EINVAL' },
    });
  });
});

describe('the ps route through the service (what macOS uses)', () => {
  it('samples on the worker, lists sockets by lsof, and says threads are not listed', async () => {
    const h = new EventHub();
    const ps = new ProcessService(h, undefined, 'ps');
    const got: ProcessSampleData[] = [];
    h.on('processes.sample', (s) => got.push(s));
    try {
      ps.configure(true, 250);
      const deadline = Date.now() + 8000;
      while (!got.some((s) => s.processes.some((p) => p.pid === process.pid)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 30));
      const me = got.at(-1)!.processes.find((p) => p.pid === process.pid)!;
      expect(me).toMatchObject({ ppid: process.ppid, name: 'node' });
      expect(me.threads).toBeGreaterThan(1);
      const details = await ps.details(process.pid);
      expect(details).toMatchObject({ pid: process.pid, threads: null });
      expect(await ps.details(999_999_999)).toBeNull();
    } finally {
      await ps.dispose();
    }
  });
});

describe('quitting', () => {
  it('ends every lab process when the service is disposed (the app quits)', async () => {
    const own = new ProcessService(new EventHub());
    const zombie = await own.labStart('zombie');
    const daemon = await own.labStart('daemon');
    const pids = [...zombie.pids, ...daemon.pids];
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        // A zombie still answers kill(0) until it is reaped; count it as ended once it is Z.
        return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      } catch {
        return false;
      }
    };
    expect(pids.filter(alive).length).toBeGreaterThan(0);
    await own.dispose();
    for (let i = 0; i < 50 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 40));
    expect(pids.filter(alive)).toEqual([]);
  });
});
