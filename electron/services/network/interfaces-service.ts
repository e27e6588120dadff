import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import type { NetInterface } from '../../../shared/contract/index.ts';

/** Linux says whether a link is up in sysfs; elsewhere Node does not tell, so `up` is null. */
function operState(name: string): boolean | null {
  if (process.platform !== 'linux' || !/^[\w.@:-]+$/.test(name)) return null;
  try {
    const state = readFileSync(`/sys/class/net/${name}/operstate`, 'utf8').trim();
    // loopback reports "unknown" although it is always up
    return state === 'up' || state === 'unknown';
  } catch {
    return null;
  }
}

export function listInterfaces(): NetInterface[] {
  const out: NetInterface[] = [];
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    if (!addrs) continue;
    out.push({
      name,
      up: operState(name),
      mac: addrs.find((a) => a.mac && a.mac !== '00:00:00:00:00:00')?.mac ?? null,
      internal: addrs.every((a) => a.internal),
      addresses: addrs.map((a) => ({
        family: a.family === 'IPv4' ? 4 : 6,
        address: a.address,
        prefix: Number((a.cidr ?? '/0').split('/')[1]),
        cidr: a.cidr ?? a.address,
        scopeId: a.family === 'IPv6' && a.scopeid ? a.scopeid : null,
      })),
    });
  }
  return out.sort((a, b) => Number(a.internal) - Number(b.internal) || a.name.localeCompare(b.name));
}
