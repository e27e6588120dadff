import { formatCidr, lastOf, rangeToCidrs, sizeOf, type Cidr } from './cidr.ts';
import { bitsOf } from './ip.ts';
import { hostRange } from './calc.ts';
import { SubnetError } from './subnet-error.ts';

export interface VlsmSubnet {
  cidr: string;
  hosts: string;
  /** The host count asked for, and its position in the request. */
  requested: number;
  index: number;
}

/**
 * Smallest prefix whose usable hosts are at least `hosts`, found with integer shifts —
 * never logarithms (ipcalc's float maths allocates a /26 for 50 hosts but prints /27).
 */
export function prefixForHosts(version: 4 | 6, hosts: number): number {
  const bits = bitsOf(version);
  // A subnet is never a host route (/32, /128), and classic IPv4 VLSM keeps a network and a
  // broadcast address even for two hosts (/30, not the RFC 3021 /31).
  for (let prefix = bits - 1; prefix >= 0; prefix--) {
    const c: Cidr = { version, network: 0n, prefix };
    const usable = version === 4 && prefix === 31 ? 0n : hostRange(c).hosts;
    if (usable >= BigInt(hosts)) return prefix;
  }
  return -1;
}

/** Allocate largest first (which keeps every block aligned), then report in address order. */
export function vlsm(network: Cidr, requests: number[], field = 'hosts'): { subnets: VlsmSubnet[]; unused: Cidr[] } {
  if (requests.length === 0) throw new SubnetError('vlsm-empty', `${field}: list the host counts, like 50,20,2`, field);
  for (const [i, h] of requests.entries()) {
    if (!Number.isSafeInteger(h) || h < 1)
      throw new SubnetError('vlsm-count', `${field}: entry ${i + 1} must be a whole number of hosts, 1 or more`, field, { index: i + 1 });
  }
  const order = requests.map((h, index) => ({ h, index })).sort((x, y) => y.h - x.h || x.index - y.index);
  let cursor = network.network;
  const end = lastOf(network);
  const placed: (VlsmSubnet & { network: bigint })[] = [];
  for (const { h, index } of order) {
    const prefix = prefixForHosts(network.version, h);
    if (prefix < network.prefix) {
      throw new SubnetError('vlsm-too-big', `${field}: ${h} hosts need a /${Math.max(prefix, 0)}, larger than ${formatCidr(network)}`, field, {
        hosts: h,
        network: formatCidr(network),
      });
    }
    const block: Cidr = { version: network.version, network: cursor, prefix };
    if (lastOf(block) > end) {
      throw new SubnetError('vlsm-full', `${field}: ${formatCidr(network)} has no room left for ${h} hosts (entry ${index + 1}) after the larger ones`, field, {
        hosts: h,
        network: formatCidr(network),
        index: index + 1,
      });
    }
    placed.push({ network: cursor, cidr: formatCidr(block), hosts: hostRange(block).hosts.toString(), requested: h, index });
    cursor += sizeOf(block);
  }
  const unused = cursor <= end ? rangeToCidrs(network.version, cursor, end) : [];
  return { subnets: placed.map(({ network: _n, ...s }) => s), unused };
}
