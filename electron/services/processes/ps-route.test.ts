import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { listSocketsLsof, PsSampler } from './ps-route.ts';
import { ProcessSampler } from './process-sampler.ts';

/**
 * The ps/lsof route (macOS's), run for real on Linux: procps prints the same columns. It must
 * agree with the /proc route on the same processes.
 */
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ps route', () => {
  it('agrees with /proc on pid, ppid, state, threads and command; CPU from the time column', async () => {
    const py = spawn(
      'python3',
      ['-c', "import threading,time\nfor i in range(3): threading.Thread(target=time.sleep, args=(30,)).start()\nprint('ready', flush=True)\ntime.sleep(30)"],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const busy = spawn(process.execPath, ['-e', 'const e=Date.now()+8000;while(Date.now()<e);'], { stdio: 'ignore' });
    children.push(py, busy);
    await new Promise((r) => py.stdout!.once('data', r));
    const ps = new PsSampler();
    const proc = new ProcessSampler();
    ps.sample();
    proc.sample();
    const t0 = Date.now();
    await sleep(2100);
    const viaPs = ps.sample().processes;
    const viaProc = proc.sample().processes;
    const windowS = (Date.now() - t0) / 1000;
    const a = viaPs.find((p) => p.pid === py.pid)!;
    const b = viaProc.find((p) => p.pid === py.pid)!;
    expect({ ppid: a.ppid, state: a.state, threads: a.threads, user: a.user }).toEqual({ ppid: b.ppid, state: b.state, threads: 4, user: b.user });
    expect(a.command).toBe(b.command.replace(/\n/g, ' ').replace(/\s+/g, ' '));
    expect(a.startTime.slice(0, 16)).toBe(b.startTime.slice(0, 16));
    // ps's time column moves in whole seconds on Linux, so over this ~2 s window its figure may
    // differ from /proc's tick-exact one by up to one second's worth (~48%). How much CPU the busy
    // loop really got depends on the machine's load; what must hold is that both routes agree.
    const hot = viaPs.find((p) => p.pid === busy.pid)!;
    const truth = viaProc.find((p) => p.pid === busy.pid)!;
    const slack = 100 / windowS + 10;
    expect(Math.abs(hot.cpu - truth.cpu), `ps ${hot.cpu}% vs /proc ${truth.cpu}%`).toBeLessThanOrEqual(slack);
    expect(hot.cpu).toBeLessThanOrEqual(110);
    expect(ps.threads(py.pid!)).toBeNull();
  });

  it('lsof names the owner of a listening socket', async () => {
    if (spawnSync('sh', ['-c', 'command -v lsof']).status !== 0) throw new Error('lsof is needed for this test (.ci/run installs it)');
    const srv = spawn(
      process.execPath,
      ['-e', "const s=require('net').createServer().listen(0,'127.0.0.1',()=>console.log(s.address().port));setInterval(()=>{},1e6)"],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(srv);
    const port = Number(await new Promise<string>((r) => srv.stdout!.once('data', (d: Buffer) => r(d.toString().trim()))));
    expect(listSocketsLsof(srv.pid)).toContainEqual({
      proto: 'tcp',
      local: `127.0.0.1:${port}`,
      remote: '0.0.0.0:0',
      state: 'LISTEN',
      pid: srv.pid,
      process: 'node',
    });
  });
});
