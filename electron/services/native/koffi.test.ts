import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseStat } from '../../../shared/processes/proc-parse.ts';
import { processStartTime } from '../app/child-guard.ts';
import { koffiLoadError, loadKoffi, nativeLibrary } from './koffi.ts';

describe.runIf(process.platform === 'linux')('one koffi loader', () => {
  it('opens libc once for every caller, and a library that is not there is null, not a throw', () => {
    const libc = nativeLibrary('libc.so.6');
    expect(libc).not.toBeNull();
    expect(nativeLibrary('libc.so.6')).toBe(libc);
    expect(loadKoffi()).toBe(loadKoffi());
    expect(koffiLoadError()).toBe('');
    expect(nativeLibrary('libwirelab-no-such-library.so.9')).toBeNull();
    // The handle works: getpid(2) through it is this process.
    expect(libc!.func('int getpid()')()).toBe(process.pid);
  });
});

describe.runIf(process.platform === 'linux')("the child guard's start times", () => {
  it("read /proc/<pid>/stat's starttime with the sampler's parser; 0 for a pid that is gone", () => {
    const mine = processStartTime(process.pid);
    expect(mine).toBeGreaterThan(0);
    expect(mine).toBe(parseStat(readFileSync('/proc/self/stat', 'utf8'))!.starttime);
    expect(processStartTime(2 ** 31 - 2)).toBe(0);
  });
});
