import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcessSampler } from './process-sampler.ts';

/**
 * The /proc sampler reads a process's command line when it first sees it. exec(2) keeps the pid
 * and the start time, so a shell that execs (`sh -c '…; exec sleep 30'`, the zombie lab's
 * parent) would keep showing the shell's command line forever if seen before the exec.
 */
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ProcessSampler', () => {
  it('shows the new command line after a process execs another program', async () => {
    const sh = spawn('/bin/sh', ['-c', 'read _; exec sleep 30'], { stdio: ['pipe', 'ignore', 'ignore'] });
    children.push(sh);
    const sampler = new ProcessSampler();
    const deadline = Date.now() + 10_000;
    let before = sampler.sample().processes.find((p) => p.pid === sh.pid);
    while (!before && Date.now() < deadline) {
      await sleep(50);
      before = sampler.sample().processes.find((p) => p.pid === sh.pid);
    }
    expect(before?.command).toBe('/bin/sh -c read _; exec sleep 30');
    sh.stdin!.end('go\n'); // the shell reads its line, then execs sleep
    let after = before;
    while (after?.name !== 'sleep' && Date.now() < deadline) {
      await sleep(50);
      after = sampler.sample().processes.find((p) => p.pid === sh.pid);
    }
    expect({ name: after?.name, command: after?.command }).toEqual({ name: 'sleep', command: 'sleep 30' });
    sampler.close();
  });
});
