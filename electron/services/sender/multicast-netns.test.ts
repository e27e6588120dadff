import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Multicast and broadcast for real, between two network namespaces joined by a veth pair
 * (loopback has no MULTICAST flag, and on lo IP_MULTICAST_LOOP changes nothing: datagrams come
 * back through lo either way). test/support/two-namespaces.sh builds the pair under
 * `unshare -rn` and runs the real backend on each side (test/support/multicast-probe.ts).
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));
const canUnshare = spawnSync('unshare', ['-rn', 'ip', 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1'], { stdio: 'ignore' }).status === 0;
if (!canUnshare) console.warn('multicast-netns: skipped, `unshare -rn` with veth is not allowed here (user namespaces off?)');

describe.runIf(canUnshare)('UDP between two network namespaces', () => {
  it('IPv4 and IPv6 multicast reach a group joined across the veth; broadcast needs its flag; the loopback toggle decides local delivery', () => {
    const run = spawnSync('unshare', ['-rn', 'sh', 'test/support/two-namespaces.sh'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    const [ready, rx, tx] = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(ready).toEqual({ ready: true });
    // The other namespace hears the group either way: loopback is about this host only.
    expect(rx).toEqual({ v4: ['v4 loop off', 'v4 loop on'], broadcast: ['broadcast'], v6: ['v6 group'] });
    // A member on the sending host hears it only with IP_MULTICAST_LOOP on (ip(7)).
    expect(tx).toEqual({ broadcastWithoutFlag: 'EACCES', local: ['v4 loop on'] });
  }, 70_000);
});
