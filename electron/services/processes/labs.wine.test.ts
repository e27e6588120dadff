import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleForWindows, prepareWine, runWindowsNode, wineSkip } from '../../../test/support/wine.ts';

/**
 * The labs on Windows for real: test/support/win32-labs-probe.ts in Windows Node under Wine
 * starts every lab through LabRunner, samples them with the Win32 route and stops them. Wine has
 * no Windows Python, so the GIL lab is checked to refuse with NO_PYTHON there (it runs where
 * `python` or `py` is installed; not checked here).
 */
const repo = fileURLToPath(new URL('../../..', import.meta.url));
const skip = wineSkip('labs.wine.test.ts');

interface Row {
  pid: number;
  ppid: number;
  name: string;
  state: string;
  threads: number;
  command: string;
  gone?: true;
}
interface Probe {
  error?: string;
  selfPid: number;
  started: Record<string, { pids: number[] } | { error: string; code: string | null }>;
  seen: Record<string, Row[]>;
  zombieExitWhileHeld: number | null;
  zombieExitAfterStop: number | null;
  leftAfterStop: number[];
}

describe.skipIf(skip)('labs on Windows under Wine', () => {
  let probe: Probe;
  let bundled: string | undefined;

  beforeAll(async () => {
    const prepared = prepareWine(repo);
    if ('missing' in prepared) throw new Error(`CI must run the Wine tests: ${prepared.missing}`);
    bundled = bundleForWindows(repo, prepared, { 'win32-labs-probe': join(repo, 'test/support/win32-labs-probe.ts') });
    const r = await runWindowsNode(prepared, join(bundled, 'win32-labs-probe.js'), [], 300_000);
    const last = r.stdout.trim().split('\n').at(-1) ?? '';
    if (!last.startsWith('{')) throw new Error(`the probe printed no result (exit ${r.code}): ${r.stderr.slice(0, 2000)}`);
    probe = JSON.parse(last) as Probe;
    if (probe.error) throw new Error(`the probe failed under Wine: ${probe.error}`);
  }, 420_000);

  afterAll(() => {
    if (bundled) rmSync(bundled, { recursive: true, force: true });
  });

  const rows = (kind: string) => probe.seen[kind] ?? [];

  it('pool: N node.exe children of the host', () => {
    expect(rows('pool')).toHaveLength(3);
    for (const r of rows('pool')) expect(r).toMatchObject({ name: 'node.exe', ppid: probe.selfPid });
  });

  it('threads and producer/consumer: one process with its worker threads', () => {
    expect(rows('threads')[0]!.threads).toBeGreaterThanOrEqual(3 + 4); // 3 workers beyond Node's main and libuv's pool
    expect(rows('producer-consumer')[0]!.threads).toBeGreaterThanOrEqual(2 + 4);
  });

  it('stopped: the process is suspended (T)', () => {
    expect(rows('stopped')[0]).toMatchObject({ name: 'node.exe', state: 'T' });
  });

  it('orphan and daemon-like: the parent has gone, the child keeps its pid as PPID (no re-parenting)', () => {
    for (const kind of ['orphan', 'daemon']) {
      const [parent, child] = rows(kind);
      expect(parent, kind).toMatchObject({ gone: true });
      expect(child, kind).toMatchObject({ name: 'node.exe', ppid: parent!.pid });
      expect(child!.command, kind).toContain(`wirelab-${kind}`);
    }
  });

  it('zombie: the exited child leaves the table, its process object lives while the lab holds a handle', () => {
    expect(rows('zombie')[0]).toMatchObject({ gone: true });
    expect(probe.zombieExitWhileHeld).toBe(7);
    expect(probe.zombieExitAfterStop).toBeNull();
  });

  it('GIL without a Windows Python: NO_PYTHON', () => {
    expect(probe.started.gil).toMatchObject({ code: 'NO_PYTHON' });
  });

  it('stopping the labs ends every process they started, orphans included', () => {
    expect(probe.leftAfterStop).toEqual([]);
  });
});
