import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
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

  it('shows the new command line when a program execs itself with other arguments (same name, same binary)', async () => {
    // What a fork of Wirelab does before exec'ing a lab's python3, and what python3 re-exec'ing
    // itself does: the name alone does not tell the command line changed.
    // The interpreter itself, not a launcher shim (pyenv's is a bash script that execs it).
    const python = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout.trim();
    const first = 'import os, sys; sys.stdin.readline(); os.execv(sys.argv[1], ["python3", "-c", "import time; time.sleep(30)", "second-run"])';
    const py = spawn(python, ['-c', first, python], { argv0: 'python3', stdio: ['pipe', 'ignore', 'ignore'] });
    children.push(py);
    const sampler = new ProcessSampler();
    const deadline = Date.now() + 15_000;
    const find = () => sampler.sample().processes.find((p) => p.pid === py.pid);
    let before = find();
    while (!before?.command.includes('readline') && Date.now() < deadline) {
      await sleep(50);
      before = find();
    }
    expect(before?.command).toBe(`python3 -c ${first} ${python}`);
    py.stdin!.end('go\n');
    let after = before;
    while (after?.command.includes('readline') && Date.now() < deadline) {
      await sleep(100);
      after = find();
    }
    expect(after?.name).toBe(before?.name);
    expect(after?.command).toMatch(/python3 -c import time; time\.sleep\(30\) second-run$/);
    sampler.close();
  });
});
