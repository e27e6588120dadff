import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { createBackend } from '../backend.ts';
import { tempDir } from '../../../test/support/temp-dir.ts';

describe('net.interfaces', () => {
  it("lists this machine's interfaces, loopback included and up, external ones first", async () => {
    const backend = await createBackend({ host: 'browser', dataDir: await tempDir() });
    const r = await backend.dispatcher.call('net.interfaces', {});
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.map((i) => i.name).sort()).toEqual(Object.keys(networkInterfaces()).sort());
    const lo = r.value.find((i) => i.addresses.some((a) => a.address === '127.0.0.1'))!;
    expect(lo.internal).toBe(true);
    expect(lo.addresses.find((a) => a.address === '127.0.0.1')).toMatchObject({ family: 4, prefix: 8, cidr: '127.0.0.1/8' });
    if (process.platform === 'linux') expect(lo.up).toBe(true);
    const firstInternal = r.value.findIndex((i) => i.internal);
    expect(r.value.slice(firstInternal).every((i) => i.internal)).toBe(true);
  });
});
