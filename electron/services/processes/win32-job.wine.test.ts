import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleForWindows, dumpcapStandIn, prepareWine, runWindowsNode, wineSkip } from '../../../test/support/wine.ts';

/**
 * Children end with Wirelab on Windows: test/support/win32-job-probe.ts runs under Wine a host
 * (Windows Node) that puts one detached child in its KILL_ON_JOB_CLOSE job (the child then starts
 * one of its own) and leaves another detached child out; the host is ended with TerminateProcess,
 * so none of its cleanup runs. Wine's own jobs do the killing here, as Windows' would. The host
 * also starts a timeline capture whose tool is dumpcap: a stand-in Windows program (a Node single
 * executable, test/support/wine.ts's dumpcapStandIn), since Wine has no Wireshark; what is tested is
 * that PacketCapture puts the program it spawns in the job, not dumpcap itself capturing.
 */
const repo = fileURLToPath(new URL('../../..', import.meta.url));
const skip = wineSkip('win32-job.wine.test.ts');

interface JobProbe {
  error?: string;
  added: boolean;
  contains: boolean;
  containsOutside: boolean;
  aliveBefore: { inJob: boolean; grandchild: boolean; outside: boolean };
  aliveAfter: { host: boolean; inJob: boolean; grandchild: boolean; outside: boolean };
  dumpcap: number;
  dumpcapArgv: string[];
  dumpcapInJob: boolean;
  dumpcapAliveBefore: boolean;
  dumpcapAliveAfter: boolean;
}

describe.skipIf(skip)('Job Object under Wine', () => {
  let probe: JobProbe;
  let dir: string | undefined;
  let bundled: string | undefined;

  beforeAll(async () => {
    const kit = prepareWine(repo);
    if ('missing' in kit) throw new Error(`CI must run the Wine tests: ${kit.missing}`);
    dir = mkdtempSync(join(tmpdir(), 'wirelab-wine-job-'));
    bundled = bundleForWindows(repo, kit, { 'win32-job-probe': join(repo, 'test/support/win32-job-probe.ts') });
    // Its Windows path (Z: is Wine's view of /), so CreateProcess needs no Unix path resolved.
    const dumpcap = `Z:${dumpcapStandIn(repo, kit).replaceAll('/', '\\')}`;
    const r = await runWindowsNode(kit, join(bundled, 'win32-job-probe.js'), ['main', dir, dumpcap], 240_000);
    const last = r.stdout.trim().split('\n').at(-1) ?? '';
    if (!last.startsWith('{')) throw new Error(`the probe printed no result (exit ${r.code}): ${r.stderr.slice(0, 2000)}`);
    probe = JSON.parse(last) as JobProbe;
    if (probe.error) throw new Error(`the probe failed under Wine: ${probe.error}`);
  }, 420_000);

  afterAll(() => {
    for (const d of [dir, bundled]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('a detached child added to the job, and the child it starts, end when the host is terminated', () => {
    expect({ added: probe.added, contains: probe.contains, containsOutside: probe.containsOutside }).toEqual({
      added: true,
      contains: true,
      containsOutside: false,
    });
    expect(probe.aliveBefore).toEqual({ inJob: true, grandchild: true, outside: true });
    expect(probe.aliveAfter).toEqual({ host: false, inJob: false, grandchild: false, outside: true });
  });

  it('the timeline’s dumpcap (a stand-in) runs in the job with dumpcap’s arguments and ends with the host', () => {
    expect(probe.dumpcapArgv).toEqual(['-i', '\\Device\\NPF_Loopback', '-f', 'tcp port 9', '-q', '-w', '-']);
    expect(probe.dumpcapInJob).toBe(true);
    expect(probe.dumpcapAliveBefore).toBe(true);
    expect(probe.dumpcapAliveAfter).toBe(false);
  });
});
