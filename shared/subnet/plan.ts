import { collapse, formatCidr, lastOf, maxSubnets, parseCidr, rangeToCidrs, sizeOf, splitToPrefix, subnetAt, type Cidr } from './cidr.ts';
import { formatIp } from './ip.ts';
import { hostRange } from './calc.ts';
import { bitsOf, parseIp } from './ip.ts';
import { SubnetError } from './subnet-error.ts';
import { vlsm } from './vlsm.ts';

/** The `wirelab split --json` document. */
export interface SplitResult {
  network: string;
  subnets: { cidr: string; hosts: string; requested?: number }[];
  unused: string[];
}

export type SplitBy = { prefix: number } | { count: number } | { hosts: number[] };

/** Bit length of n − 1: how many bits address `n` equal parts (exact integers, no Math.log2). */
export function bitsForCount(n: number): number {
  let bits = 0;
  while (2 ** bits < n) bits++;
  return bits;
}

export function split(networkText: string, by: SplitBy): SplitResult {
  const network = parseCidr(networkText, 'network');
  const bits = bitsOf(network.version);
  const row = (c: Cidr) => ({ cidr: formatCidr(c), hosts: hostRange(c).hosts.toString() });
  if ('hosts' in by) {
    const r = vlsm(network, by.hosts);
    return {
      network: formatCidr(network),
      subnets: r.subnets.map(({ cidr, hosts, requested }) => ({ cidr, hosts, requested })),
      unused: r.unused.map(formatCidr),
    };
  }
  if ('count' in by) {
    const k = by.count;
    if (!Number.isSafeInteger(k) || k < 1) throw new SubnetError('split-count', `count: the number of subnets must be a whole number, 1 or more`, 'count');
    if (k > maxSubnets)
      throw new SubnetError('split-too-many', `count: Wirelab lists at most ${maxSubnets.toLocaleString('en')} subnets`, 'count', { max: maxSubnets });
    const prefix = network.prefix + bitsForCount(k);
    if (prefix > bits)
      throw new SubnetError(
        'split-count-range',
        `count: ${formatCidr(network)} has only ${sizeOf(network)} addresses; it cannot be split into ${k} subnets`,
        'count',
        { network: formatCidr(network), count: k },
      );
    const all = splitToPrefix(network, prefix, 'count');
    const used = all.slice(0, k);
    const rest = all.slice(k);
    return { network: formatCidr(network), subnets: used.map(row), unused: rest.length ? collapse(rest).map(formatCidr) : [] };
  }
  return { network: formatCidr(network), subnets: splitToPrefix(network, by.prefix).map(row), unused: [] };
}

/** One item of a summarize list: a CIDR, a single address, or a range `first-last`. */
export function parseBlockList(items: string[], field = 'networks'): Cidr[] {
  const out: Cidr[] = [];
  for (const [i, raw] of items.entries()) {
    const item = raw.trim();
    if (item === '') continue;
    const label = `${field}[${i + 1}]`;
    const dash = item.indexOf('-');
    if (dash > 0) {
      const a = parseIp(item.slice(0, dash), label);
      const b = parseIp(item.slice(dash + 1), label);
      if (a.version !== b.version) throw new SubnetError('range-versions', `${label}: the range ${item} mixes IPv4 and IPv6`, label, { item });
      if (a.value > b.value) throw new SubnetError('range-order', `${label}: the range ${item} ends before it starts`, label, { item });
      out.push(...rangeToCidrs(a.version, a.value, b.value));
    } else {
      out.push(parseCidr(item, label));
    }
  }
  if (out.length === 0) throw new SubnetError('summarize-empty', `${field}: list networks (10.0.0.0/24), addresses or ranges (10.0.0.5-10.0.0.9)`, field);
  return out;
}

export function summarize(items: string[]): { cidrs: string[] } {
  return { cidrs: collapse(parseBlockList(items)).map(formatCidr) };
}

/** One row of a split, as the panel shows it. */
export interface SplitRow {
  cidr: string;
  first: string;
  last: string;
  hosts: string;
  requested?: number;
}

/**
 * A split the UI can scroll through without materialising it: equal splits compute row `i`
 * on demand (10.0.0.0/8 into /24 is 65,536 rows; only the visible few are ever formatted).
 */
export interface LazySplit {
  network: string;
  count: number;
  rowAt(index: number): SplitRow;
  unused: string[];
}

function rowOf(c: Cidr, requested?: number): SplitRow {
  const range = hostRange(c);
  const row: SplitRow = { cidr: formatCidr(c), first: formatIp(c.version, c.network), last: formatIp(c.version, lastOf(c)), hosts: range.hosts.toString() };
  if (requested !== undefined) row.requested = requested;
  return row;
}

export function lazySplit(networkText: string, by: SplitBy): LazySplit {
  const network = parseCidr(networkText, 'network');
  if ('hosts' in by) {
    const r = vlsm(network, by.hosts);
    const rows = r.subnets.map((s) => rowOf(parseCidr(s.cidr), s.requested));
    return { network: formatCidr(network), count: rows.length, rowAt: (i) => rows[i]!, unused: r.unused.map(formatCidr) };
  }
  let prefix: number;
  let count: number;
  let unused: string[] = [];
  if ('count' in by) {
    // the same checks and rounding as split(); the list itself is small enough to reuse it
    const r = split(networkText, by);
    prefix = network.prefix + bitsForCount(by.count);
    count = r.subnets.length;
    unused = r.unused;
  } else {
    const bits = bitsOf(network.version);
    if (by.prefix < network.prefix || by.prefix > bits) splitToPrefix(network, by.prefix); // throws the named error
    const n = 1n << BigInt(by.prefix - network.prefix);
    if (n > BigInt(maxSubnets)) splitToPrefix(network, by.prefix);
    prefix = by.prefix;
    count = Number(n);
  }
  return { network: formatCidr(network), count, rowAt: (i) => rowOf(subnetAt(network, prefix, i)), unused };
}
