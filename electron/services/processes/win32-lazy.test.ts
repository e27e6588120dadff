import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { createSampler, samplerRoute } from './process-sampler.ts';
import { listSockets } from './proc-reader.ts';
import { win32ApiAvailable } from './win32-api.ts';
import { readTcpTable, tcpTableRoute } from '../timeline/kernel-states.ts';

/**
 * The Windows route is imported everywhere (the sampler, the worker, the timeline) but binds
 * koffi only when used on Windows: on Linux the process monitor and the kernel-state watcher run
 * without loading koffi at all, and asking for the Win32 API says why not.
 */
describe('Windows route on Linux', () => {
  it('samples, lists sockets and reads the TCP table without loading koffi', async () => {
    expect(samplerRoute()).toBe('proc');
    expect(tcpTableRoute()).toBe('proc');
    const sampler = createSampler();
    expect(sampler.sample().processes.some((p) => p.pid === process.pid)).toBe(true);
    sampler.close();
    listSockets();
    await readTcpTable(tcpTableRoute()!);
    const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) => /[\\/]koffi[\\/]/.test(k));
    expect(loaded).toEqual([]);
  });

  it('says the Win32 API is for Windows, as a reason the panel can show', () => {
    expect(win32ApiAvailable()).toEqual({ ok: false, reason: `The Windows process route runs on Windows only (this is ${process.platform}).` });
  });
});
