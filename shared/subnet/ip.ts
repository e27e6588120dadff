import { SubnetError } from './subnet-error.ts';

/** An address as an exact integer: BigInt, because IPv6 needs 128 bits and `1 << 32 === 1` in JS. */
export interface Ip {
  version: 4 | 6;
  value: bigint;
  /** IPv6 zone id (`fe80::1%eth0`): not part of the maths, shown again in results. */
  zone?: string;
}

export const bitsOf = (version: 4 | 6): number => (version === 4 ? 32 : 128);
export const maxOf = (version: 4 | 6): bigint => (version === 4 ? 0xffff_ffffn : (1n << 128n) - 1n);

const decimalOctet = /^(0|[1-9][0-9]{0,2})$/;

/**
 * Strict dotted-quad IPv4. Leading zeros are refused on purpose: `010` is 8 to inet_aton and
 * many C libraries (octal) and 10 to others — a calculator must not guess which one you meant.
 */
export function parseIPv4(text: string, field = 'address'): bigint {
  const parts = text.split('.');
  if (parts.length !== 4) {
    throw new SubnetError(
      'ipv4-parts',
      `${field}: an IPv4 address has four numbers separated by dots (like 192.168.1.10); "${text}" has ${parts.length}`,
      field,
      { text, count: parts.length },
    );
  }
  let value = 0n;
  for (const [i, part] of parts.entries()) {
    if (part === '') throw new SubnetError('ipv4-empty', `${field}: part ${i + 1} of "${text}" is empty`, field, { text, part: i + 1 });
    if (!/^[0-9]+$/.test(part)) throw new SubnetError('ipv4-digits', `${field}: "${part}" in "${text}" is not a decimal number`, field, { text, part });
    if (!decimalOctet.test(part)) {
      const octal = /^0[0-7]+$/.test(part) ? String(parseInt(part, 8)) : null;
      throw new SubnetError(
        'ipv4-leading-zero',
        `${field}: "${part}" in "${text}" has a leading zero, which some tools read as octal (${octal ?? 'not valid octal'}) and others as decimal (${Number(part)}); write it without the zero`,
        field,
        { text, part, octal: octal ?? '-', decimal: Number(part) },
      );
    }
    const n = Number(part);
    if (n > 255)
      throw new SubnetError('ipv4-octet-range', `${field}: ${n} in "${text}" is over 255; each part of an IPv4 address is one byte (0–255)`, field, {
        text,
        part: n,
      });
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

/** IPv6 text (RFC 4291 §2.2): eight hex groups, one `::`, an optional dotted IPv4 tail. */
export function parseIPv6(text: string, field = 'address'): bigint {
  let head = text;
  let tail: bigint | null = null;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    tail = parseIPv4(text.slice(lastColon + 1), field);
    head = text.slice(0, lastColon + 1);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const doubles = head.split('::').length - 1;
  if (doubles > 1)
    throw new SubnetError('ipv6-double-colon', `${field}: "${text}" uses "::" more than once; it may stand for one run of zero groups only`, field, { text });
  const groupsWanted = tail === null ? 8 : 6;
  const parseGroups = (s: string): number[] => {
    if (s === '') return [];
    return s.split(':').map((g) => {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) {
        throw new SubnetError(
          g === '' ? 'ipv6-empty-group' : g.length > 4 ? 'ipv6-group-length' : 'ipv6-group-digits',
          g === ''
            ? `${field}: "${text}" has an empty group (a single ":" where "::" or a number belongs)`
            : `${field}: "${g}" in "${text}" is not a group of 1–4 hex digits`,
          field,
          { text, group: g },
        );
      }
      return parseInt(g, 16);
    });
  };
  let groups: number[];
  if (doubles === 1) {
    const [left, right] = head.split('::') as [string, string];
    const l = parseGroups(left);
    const r = parseGroups(right);
    const missing = groupsWanted - l.length - r.length;
    if (missing < 1) throw new SubnetError('ipv6-group-count', `${field}: "${text}" has too many groups for "::" to stand for any`, field, { text });
    groups = [...l, ...new Array<number>(missing).fill(0), ...r];
  } else {
    groups = parseGroups(head);
    if (groups.length !== groupsWanted) {
      throw new SubnetError(
        'ipv6-group-count',
        `${field}: "${text}" has ${groups.length} groups; an IPv6 address has ${groupsWanted}${tail === null ? '' : ' before an IPv4 tail'} (or uses "::" for a run of zeros)`,
        field,
        { text, count: groups.length },
      );
    }
  }
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(g);
  if (tail !== null) value = (value << 32n) | tail;
  return value;
}

/** Either family, with an optional zone id for IPv6. */
export function parseIp(raw: string, field = 'address'): Ip {
  const text = raw.trim();
  if (text === '') throw new SubnetError('empty', `${field}: type an address, like 192.168.1.10 or 2001:db8::1`, field);
  if (text.includes(':')) {
    const pct = text.indexOf('%');
    const zone = pct >= 0 ? text.slice(pct + 1) : undefined;
    if (zone !== undefined && !/^[0-9A-Za-z_.-]{1,64}$/.test(zone))
      throw new SubnetError('ipv6-zone', `${field}: the zone after "%" must be an interface name or number, not "${zone}"`, field, { zone });
    const ip: Ip = { version: 6, value: parseIPv6(pct >= 0 ? text.slice(0, pct) : text, field) };
    if (zone !== undefined) ip.zone = zone;
    return ip;
  }
  if (/^[0-9.]+$/.test(text)) return { version: 4, value: parseIPv4(text, field) };
  throw new SubnetError('not-an-address', `${field}: "${text}" is neither an IPv4 address (four numbers with dots) nor IPv6 (hex groups with colons)`, field, {
    text,
  });
}

export function formatIPv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
}

/**
 * Canonical IPv6 text, RFC 5952: lowercase, no leading zeros, `::` for the longest run of two
 * or more zero groups (the first on a tie), and IPv4-mapped addresses in the dotted form (§5).
 */
export function formatIPv6(value: bigint, options: { mixed?: boolean } = {}): string {
  if ((options.mixed ?? true) && value >> 32n === 0xffffn) return `::ffff:${formatIPv4(value & 0xffff_ffffn)}`;
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestLen < 2) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function formatIp(version: 4 | 6, value: bigint, options: { mixed?: boolean } = {}): string {
  return version === 4 ? formatIPv4(value) : formatIPv6(value, options);
}

/** PTR name of an address (RFC 1035 §3.5 in-addr.arpa, RFC 3596 ip6.arpa nibbles). */
export function reverseName(ip: Ip): string {
  if (ip.version === 4) return `${formatIPv4(ip.value).split('.').reverse().join('.')}.in-addr.arpa`;
  const nibbles: string[] = [];
  for (let i = 0; i < 32; i++) nibbles.push(((ip.value >> BigInt(i * 4)) & 0xfn).toString(16));
  return `${nibbles.join('.')}.ip6.arpa`;
}

/** Digits grouped in threes for people (65,536 / 65 536); data and JSON keep the plain string. */
export function groupDigits(decimal: string, separator = ','): string {
  return decimal.replace(/\B(?=(\d{3})+(?!\d))/g, separator);
}
