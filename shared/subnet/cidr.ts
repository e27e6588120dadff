import { bitsOf, formatIp, maxOf, parseIp } from './ip.ts';
import { SubnetError } from './subnet-error.ts';

/** A block of addresses: `network` has no host bits set. */
export interface Cidr {
  version: 4 | 6;
  network: bigint;
  prefix: number;
}

export function maskOf(version: 4 | 6, prefix: number): bigint {
  const bits = bitsOf(version);
  return (maxOf(version) >> BigInt(bits - prefix)) << BigInt(bits - prefix);
}
export const hostMaskOf = (version: 4 | 6, prefix: number): bigint => maxOf(version) ^ maskOf(version, prefix);
export const sizeOf = (c: Cidr): bigint => 1n << BigInt(bitsOf(c.version) - c.prefix);
export const lastOf = (c: Cidr): bigint => c.network | hostMaskOf(c.version, c.prefix);
export const cidrOf = (version: 4 | 6, address: bigint, prefix: number): Cidr => ({ version, network: address & maskOf(version, prefix), prefix });
export const contains = (c: Cidr, version: 4 | 6, address: bigint): boolean => c.version === version && address >= c.network && address <= lastOf(c);
export const formatCidr = (c: Cidr): string => `${formatIp(c.version, c.network)}/${c.prefix}`;

export function checkPrefix(version: 4 | 6, text: string, field = 'prefix'): number {
  const bits = bitsOf(version);
  if (!/^\d{1,3}$/.test(text))
    throw new SubnetError('prefix-digits', `${field}: the prefix after "/" must be a whole number from 0 to ${bits}, not "${text}"`, field, {
      text,
      max: bits,
    });
  const n = Number(text);
  if (n > bits)
    throw new SubnetError('prefix-range', `${field}: /${n} is out of range; IPv${version} prefixes go from /0 to /${bits}`, field, {
      prefix: n,
      max: bits,
      version,
    });
  return n;
}

/** How many leading one-bits, or null when the ones are not contiguous (255.0.255.0). */
export function contiguousPrefix(version: 4 | 6, mask: bigint): number | null {
  // The host part must be 2^k − 1 (all ones at the bottom); k is then the number of host bits.
  const host = maxOf(version) ^ mask;
  if ((host & (host + 1n)) !== 0n) return null;
  let k = 0;
  for (let h = host; h > 0n; h >>= 1n) k++;
  return bitsOf(version) - k;
}

export interface MaskReading {
  prefix: number;
  kind: 'netmask' | 'wildcard';
  /** Set when the text reads both ways (only 0.0.0.0 and 255.255.255.255): which reading was taken. */
  ambiguous: boolean;
}

/**
 * A dotted mask typed after an address: a netmask (255.255.255.0) or a Cisco-style wildcard
 * (0.0.0.255). A non-contiguous value is neither — it is an ACL pattern, not a subnet.
 */
export function readMask(text: string, field = 'mask'): MaskReading {
  const ip = parseIp(text, field);
  if (ip.version !== 4) throw new SubnetError('mask-ipv6', `${field}: IPv6 has no dotted masks; write the prefix length, like /64`, field);
  const asNetmask = contiguousPrefix(4, ip.value);
  const asWildcard = contiguousPrefix(4, 0xffff_ffffn ^ ip.value);
  if (asNetmask !== null) return { prefix: asNetmask, kind: 'netmask', ambiguous: asWildcard !== null };
  if (asWildcard !== null) return { prefix: asWildcard, kind: 'wildcard', ambiguous: false };
  throw new SubnetError(
    'mask-noncontiguous',
    `${field}: ${text} is not a netmask — its one-bits are not contiguous from the left (${binaryOctets(ip.value)}). Masks like that exist only as ACL wildcards, which are not subnets`,
    field,
    { text, binary: binaryOctets(ip.value) },
  );
}

export function binaryOctets(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => ((value >> s) & 0xffn).toString(2).padStart(8, '0')).join('.');
}

/** `a.b.c.d/nn`, `x::/nn`. `strict` refuses host bits; otherwise they are cleared (like Python's strict=False). */
export function parseCidr(text: string, field = 'network', strict = false): Cidr {
  const t = text.trim();
  const slash = t.indexOf('/');
  if (slash < 0) {
    const ip = parseIp(t, field);
    return { version: ip.version, network: ip.value, prefix: bitsOf(ip.version) };
  }
  const ip = parseIp(t.slice(0, slash), field);
  const prefix = checkPrefix(ip.version, t.slice(slash + 1), field);
  const c = cidrOf(ip.version, ip.value, prefix);
  if (strict && c.network !== ip.value) {
    throw new SubnetError('host-bits', `${field}: ${t} has host bits set; the network is ${formatCidr(c)}`, field, { text: t, network: formatCidr(c) });
  }
  return c;
}

export const maxSubnets = 65_536;

/** Equal subnets of `c` at `prefix`, in address order. */
export function splitToPrefix(c: Cidr, prefix: number, field = 'prefix'): Cidr[] {
  const bits = bitsOf(c.version);
  if (prefix < c.prefix || prefix > bits) {
    throw new SubnetError(
      'split-prefix-range',
      `${field}: to split ${formatCidr(c)} the new prefix must be from /${c.prefix} to /${bits}, not /${prefix}`,
      field,
      { network: formatCidr(c), min: c.prefix, max: bits, prefix },
    );
  }
  const count = 1n << BigInt(prefix - c.prefix);
  if (count > BigInt(maxSubnets)) {
    throw new SubnetError(
      'split-too-many',
      `${field}: splitting ${formatCidr(c)} into /${prefix} makes ${count} subnets; Wirelab lists at most ${maxSubnets.toLocaleString('en')} (pick a shorter prefix)`,
      field,
      { network: formatCidr(c), prefix, count: count.toString(), max: maxSubnets },
    );
  }
  const step = 1n << BigInt(bits - prefix);
  const out: Cidr[] = [];
  for (let i = 0n; i < count; i++) out.push({ version: c.version, network: c.network + i * step, prefix });
  return out;
}

/**
 * The fewest CIDR blocks covering first..last exactly (Python's summarize_address_range): at
 * each step take the largest aligned block that starts at `first` and does not pass `last`.
 */
export function rangeToCidrs(version: 4 | 6, first: bigint, last: bigint): Cidr[] {
  const bits = bitsOf(version);
  const out: Cidr[] = [];
  let cur = first;
  while (cur <= last) {
    // alignment: number of trailing zero bits of cur (all bits when cur is 0)
    let size = bits;
    if (cur !== 0n) {
      size = 0;
      while (((cur >> BigInt(size)) & 1n) === 0n) size++;
    }
    // shrink until the block fits inside the range
    const remaining = last - cur + 1n;
    while (size > 0 && 1n << BigInt(size) > remaining) size--;
    out.push({ version, network: cur, prefix: bits - size });
    cur += 1n << BigInt(size);
    if (cur > maxOf(version)) break;
  }
  return out;
}

/** Minimal list covering exactly the union of the inputs; IPv4 first, then IPv6, in address order. */
export function collapse(cidrs: Cidr[]): Cidr[] {
  const out: Cidr[] = [];
  for (const version of [4, 6] as const) {
    const ranges = cidrs
      .filter((c) => c.version === version)
      .map((c) => [c.network, lastOf(c)] as [bigint, bigint])
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    let start: bigint | null = null;
    let end = 0n;
    for (const [a, b] of ranges) {
      if (start === null) {
        start = a;
        end = b;
      } else if (a <= end + 1n) {
        if (b > end) end = b;
      } else {
        out.push(...rangeToCidrs(version, start, end));
        start = a;
        end = b;
      }
    }
    if (start !== null) out.push(...rangeToCidrs(version, start, end));
  }
  return out;
}

/** What is left of `network` once `remove` is taken out, in address order. */
export function exclude(network: Cidr, remove: Cidr, field = 'exclude'): Cidr[] {
  if (network.version !== remove.version || remove.prefix < network.prefix || !contains(network, remove.version, remove.network)) {
    throw new SubnetError('exclude-outside', `${field}: ${formatCidr(remove)} is not inside ${formatCidr(network)}`, field, {
      exclude: formatCidr(remove),
      network: formatCidr(network),
    });
  }
  const out: Cidr[] = [];
  if (network.network < remove.network) out.push(...rangeToCidrs(network.version, network.network, remove.network - 1n));
  const end = lastOf(remove);
  if (end < lastOf(network)) out.push(...rangeToCidrs(network.version, end + 1n, lastOf(network)));
  return out;
}

/** Subnet number `index` of `c` split at `prefix`, without building the whole list (for virtual lists). */
export function subnetAt(c: Cidr, prefix: number, index: number): Cidr {
  return { version: c.version, network: c.network + BigInt(index) * (1n << BigInt(bitsOf(c.version) - prefix)), prefix };
}
