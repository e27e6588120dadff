import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { labKindSchema } from '../../../shared/contract/processes.ts';
import { projectRoot, startNode, stop, wirelabBin } from '../../../test/support/spawn-cli.ts';
import { tempDir } from '../../../test/support/temp-dir.ts';
import { createBackend } from '../backend.ts';
import { childGuard, processStartTime } from './child-guard.ts';

interface Proc {
  pid: number;
  ppid: number;
  pgrp: number;
  state: string;
  start: number;
  comm: string;
}

function procs(): Proc[] {
  const list: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      list.push({
        pid: Number(name),
        comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
        state: f[0]!,
        ppid: Number(f[1]),
        pgrp: Number(f[2]),
        start: Number(f[19]),
      });
    } catch {
      /* exited meanwhile */
    }
  }
  return list;
}

/** Every process the host started: descendants by ppid, the members of their groups, and the labs' own pids. */
function descendants(host: number, extra: number[]): Proc[] {
  const all = procs();
  const chosen = new Set<number>(extra);
  let grew = true;
  while (grew) {
    grew = false;
    const groups = new Set(all.filter((p) => chosen.has(p.pid)).map((p) => p.pgrp));
    for (const p of all) {
      if (p.pid === host || chosen.has(p.pid)) continue;
      if (p.ppid === host || chosen.has(p.ppid) || (groups.has(p.pgrp) && p.pgrp !== all.find((h) => h.pid === host)?.pgrp)) {
        chosen.add(p.pid);
        grew = true;
      }
    }
  }
  return all.filter((p) => chosen.has(p.pid));
}

/** Still running: the same process (same start time), and not a zombie waiting to be reaped. */
function alive(list: Proc[]): Proc[] {
  const now = new Map(procs().map((p) => [p.pid, p]));
  return list.filter((p) => {
    const q = now.get(p.pid);
    return q && q.start === p.start && q.state !== 'Z';
  });
}

const leftovers: Proc[] = [];
afterEach(() => {
  // A failing run must not leave its survivors on the machine.
  for (const p of alive(leftovers.splice(0))) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
});

async function connect(url: string): Promise<{
  call: (command: string, input: unknown) => Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }>;
  close: () => void;
}> {
  // Log in as a browser does: the printed URL trades the token for a cookie.
  const res = await fetch(url, { redirect: 'manual' });
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const origin = new URL(url).origin;
  const ws = new WebSocket(`${origin.replace('http', 'ws')}/ws`, { headers: { cookie, origin } });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let next = 1;
  const waiting = new Map<number, (r: never) => void>();
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString()) as { type: string; id: number };
    if (m.type === 'result') waiting.get(m.id)?.(m as never);
  });
  return {
    call: (command, input) =>
      new Promise((resolve, reject) => {
        const id = next++;
        const timer = setTimeout(() => reject(new Error(`${command}: no answer in 20 s`)), 20_000);
        waiting.set(id, (r) => {
          clearTimeout(timer);
          resolve(r);
        });
        ws.send(JSON.stringify({ type: 'invoke', id, command, input }));
      }),
    close: () => ws.terminate(),
  };
}

async function waitFor<T>(what: () => T, done: (v: T) => boolean, ms: number): Promise<T> {
  const until = Date.now() + ms;
  let v = what();
  while (!done(v) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    v = what();
  }
  return v;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

/** A host with every lab and two live captures running; returns what it started. */
async function busyHost(): Promise<{ child: ChildProcess; started: Proc[]; labsDir: string }> {
  const dataDir = await tempDir();
  const { child, line } = await startNode([wirelabBin, 'serve', '--json', '--port', '0', '--data-dir', dataDir], /"listening"/);
  const host = child.pid!;
  const labsDir = join(tmpdir(), `wirelab-labs-${host}`);
  try {
    const client = await connect((JSON.parse(line) as { url: string }).url);
    const labPids: number[] = [];
    for (const kind of labKindSchema.options) {
      const r = await client.call('processes.labStart', { kind, ...(kind === 'pool' || kind === 'threads' ? { count: 2 } : {}) });
      // The GIL lab needs python3; everything else must start.
      if (!r.ok && r.error?.code === 'NO_PYTHON') continue;
      expect(r, kind).toMatchObject({ ok: true });
      labPids.push(...(r.value as { pids: number[] }).pids);
    }
    // Two captures on ports nobody uses: tcpdump sees no traffic, so nothing would make it notice
    // its reader is gone. A refused capture (no permission) still spawned tcpdump first.
    for (const port of [9, 13]) {
      const r = await client.call('timeline.watch', { port, host: '127.0.0.1' });
      expect(r, `timeline.watch ${port}`).toMatchObject({ ok: true });
    }
    client.close();
    const started = await waitFor(
      () => descendants(host, labPids),
      (l) => l.filter((p) => p.comm === 'tcpdump').length >= 2,
      5000,
    );
    leftovers.push(...started);
    return { child, started, labsDir };
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
}

describe.runIf(process.platform === 'linux')('nothing Wirelab starts outlives it', () => {
  for (const signal of ['SIGKILL', 'SIGTERM', 'SIGINT'] as const) {
    it(`after ${signal} of the host, no lab, capture or helper is left and the labs folder is gone`, { timeout: 90_000 }, async () => {
      const { child, started, labsDir } = await busyHost();
      const names = started.map((p) => p.comm);
      console.log(`${signal}: the host (pid ${child.pid}) started ${started.length}: ${names.join(' ')}`);
      // The pool's workers, threads, producer/consumer, zombie (parent + zombie child), orphan,
      // daemon, stopped, python3, two tcpdumps, and the guard itself.
      expect(names.filter((n) => n === 'tcpdump')).toHaveLength(2);
      expect(started.length, names.join(' ')).toBeGreaterThanOrEqual(12);
      expect(existsSync(labsDir)).toBe(true);
      const gone = exited(child);
      child.kill(signal);
      // A clean stop runs the host's own shutdown first (bounded), then the same 2 s.
      if (signal !== 'SIGKILL') await Promise.race([gone, new Promise((r) => setTimeout(r, 15_000))]);
      else await gone;
      const left = await waitFor(
        () => alive(started),
        (l) => l.length === 0 && !existsSync(labsDir),
        2000,
      );
      expect(left.map((p) => `${p.pid} ${p.comm} ${p.state}`)).toEqual([]);
      expect(existsSync(labsDir)).toBe(false);
    });
  }

  it('after SIGKILL of `wirelab timeline --connect`, its tcpdump is gone too', { timeout: 60_000 }, async () => {
    // The CLI captures without a backend: the capture itself holds a guard.
    let connected: () => void = () => {};
    const connection = new Promise<void>((r) => (connected = r));
    const server = createServer((s) => {
      s.on('error', () => {});
      connected();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const cli = spawn(process.execPath, [wirelabBin, 'timeline', '--connect', '127.0.0.1', String(port), '--wait', '60000'], {
      cwd: projectRoot,
      stdio: 'ignore',
    });
    try {
      // The CLI connects once its capture runs, so tcpdump has been registered with the guard by
      // then. (A host killed between tcpdump's start and that registration is child-guard.test.ts's.)
      await connection;
      const started = await waitFor(
        () => descendants(cli.pid!, []),
        (l) => l.some((p) => p.comm === 'tcpdump') && l.some((p) => p.comm === 'node'),
        20_000,
      );
      leftovers.push(...started);
      expect(started.map((p) => p.comm)).toContain('tcpdump');
      const gone = exited(cli);
      const killedAt = Date.now();
      cli.kill('SIGKILL');
      await gone;
      const left = await waitFor(
        () => alive(started),
        (l) => l.length === 0,
        2000,
      );
      console.log(`timeline --connect: its tcpdump ended ${Date.now() - killedAt} ms after the CLI's SIGKILL`);
      expect(left.map((p) => `${p.pid} ${p.comm} ${p.state}`)).toEqual([]);
    } finally {
      cli.kill('SIGKILL');
      server.close();
    }
  });

  it('dispose ends the labs, removes their folder and stops the guard (in-process backend)', { timeout: 60_000 }, async () => {
    const backend = await createBackend({ host: 'browser', dataDir: await tempDir() });
    const guard = childGuard()?.pid;
    expect(guard).toBeGreaterThan(0);
    const pids: number[] = [];
    for (const kind of ['orphan', 'daemon', 'pool'] as const) {
      const r = await backend.dispatcher.call('processes.labStart', { kind, count: 1 });
      if (!r.ok) throw new Error(r.error.message);
      pids.push(...r.value.pids);
    }
    const labsDir = join(tmpdir(), `wirelab-labs-${process.pid}`);
    const started = procs().filter((p) => pids.includes(p.pid) || p.pid === guard);
    leftovers.push(...started);
    expect(started.length).toBe(pids.length + 1);
    expect(existsSync(labsDir)).toBe(true);
    await backend.dispose();
    const left = await waitFor(
      () => alive(started),
      (l) => l.length === 0,
      2000,
    );
    expect(left.map((p) => `${p.pid} ${p.comm}`)).toEqual([]);
    expect(existsSync(labsDir)).toBe(false);
    expect(childGuard()).toBeNull();
  });

  it('removes a killed run’s labs folder at the next start, and keeps a running host’s', { timeout: 60_000 }, async () => {
    // A pid that has certainly exited, one of a running process, and one whose number was reused.
    const dead = spawn('true');
    await exited(dead);
    const living = spawn('sleep', ['60'], { stdio: 'ignore' });
    const dirs = {
      dead: join(tmpdir(), `wirelab-labs-${dead.pid}`),
      living: join(tmpdir(), `wirelab-labs-${living.pid}`),
      reused: join(tmpdir(), `wirelab-labs-${process.pid}`),
    };
    const owners = { dead: dead.pid, living: living.pid, reused: process.pid };
    try {
      for (const [key, dir] of Object.entries(dirs) as [keyof typeof dirs, string][]) {
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'pool-worker.js'), '// left over');
        const startTime = key === 'reused' ? processStartTime(process.pid) + 1 : processStartTime(owners[key]!);
        writeFileSync(join(dir, 'owner.json'), JSON.stringify({ pid: owners[key], startTime }));
      }
      const { child } = await startNode([wirelabBin, 'serve', '--json', '--port', '0', '--data-dir', await tempDir()], /"listening"/);
      try {
        expect(existsSync(dirs.dead)).toBe(false);
        expect(existsSync(dirs.reused)).toBe(false);
        expect(existsSync(dirs.living)).toBe(true);
      } finally {
        await stop(child);
      }
    } finally {
      living.kill('SIGKILL');
      for (const dir of Object.values(dirs)) rmSync(dir, { recursive: true, force: true });
    }
  });
});
