import { checkPrefix, cidrOf, formatCidr, hostMaskOf, lastOf, maskOf, readMask, sizeOf, type Cidr } from './cidr.ts';
import { bitsOf, formatIp, parseIp, reverseName, type Ip } from './ip.ts';
import { classify, type AddressType } from './special-addresses.ts';
import { SubnetError } from './subnet-error.ts';

/** What the one input box understood: the address, its prefix, and how the prefix was found. */
export interface CalcInput {
  ip: Ip;
  prefix: number;
  /** No prefix or mask was given: a host route (/32, /128) is assumed and the UI says so. */
  assumed: boolean;
  maskKind: 'prefix' | 'netmask' | 'wildcard' | 'none';
  /** The mask read both as a netmask and a wildcard (0.0.0.0, 255.255.255.255): netmask was taken. */
  ambiguousMask: boolean;
}

/**
 * Accepts `192.168.7.20/24`, `192.168.7.20 255.255.255.0`, `192.168.7.20 0.0.0.255`,
 * `192.168.7.20/255.255.255.0`, `2001:db8::1/64`, `fe80::1%eth0/64`, `::ffff:10.0.0.1`.
 * `mask` is a separate field where the UI or CLI has one.
 */
export function parseCalcInput(text: string, mask?: string, field = 'address'): CalcInput {
  let t = text.trim();
  let maskText = mask?.trim() || undefined;
  const space = t.search(/\s/);
  if (space >= 0) {
    if (maskText !== undefined) throw new SubnetError('two-masks', `${field}: give the mask once, either after the address or in the mask field`, field);
    maskText = t.slice(space).trim();
    t = t.slice(0, space);
  }
  let prefixText: string | undefined;
  const slash = t.indexOf('/');
  if (slash >= 0) {
    prefixText = t.slice(slash + 1);
    t = t.slice(0, slash);
    if (maskText !== undefined) throw new SubnetError('two-masks', `${field}: give either "/prefix" or a mask, not both`, field);
    if (prefixText.includes('.')) {
      maskText = prefixText;
      prefixText = undefined;
    }
  }
  const ip = parseIp(t, field);
  if (prefixText !== undefined) {
    return { ip, prefix: checkPrefix(ip.version, prefixText, field), assumed: false, maskKind: 'prefix', ambiguousMask: false };
  }
  if (maskText !== undefined) {
    if (maskText.startsWith('/'))
      return { ip, prefix: checkPrefix(ip.version, maskText.slice(1), 'mask'), assumed: false, maskKind: 'prefix', ambiguousMask: false };
    if (/^\d{1,3}$/.test(maskText)) return { ip, prefix: checkPrefix(ip.version, maskText, 'mask'), assumed: false, maskKind: 'prefix', ambiguousMask: false };
    if (ip.version === 6) throw new SubnetError('mask-ipv6', 'mask: IPv6 has no dotted masks; write the prefix length, like /64', 'mask');
    const m = readMask(maskText, 'mask');
    return { ip, prefix: m.prefix, assumed: false, maskKind: m.kind, ambiguousMask: m.ambiguous };
  }
  return { ip, prefix: bitsOf(ip.version), assumed: true, maskKind: 'none', ambiguousMask: false };
}

/** The `wirelab calc --json` document; the panel renders the same object. */
export interface CalcResult {
  version: 4 | 6;
  address: string;
  zone: string | null;
  prefix: number;
  netmask: string;
  wildcard: string;
  network: string;
  cidr: string;
  broadcast: string | null;
  firstHost: string;
  lastHost: string;
  addresses: string;
  hosts: string;
  /** IPv6 counts as a power of two (2^64), which reads better than 20 digits. */
  addressesPow2: number;
  class: 'A' | 'B' | 'C' | 'D' | 'E' | null;
  type: string;
  typeName: string;
  rfc: string | null;
  embeddedType: string | null;
  reverse: string;
  assumed: boolean;
  maskKind: CalcInput['maskKind'];
  ambiguousMask: boolean;
  /** Which RFC rule set the host range (RFC 3021 /31, RFC 6164 /127 …), so the UI can state it. */
  rule: 'normal' | 'ipv4-31' | 'host-route' | 'ipv6-anycast' | 'ipv6-127';
}

/** Usable hosts and their range, by the RFC rules the issue names. */
export function hostRange(c: Cidr): { first: bigint; last: bigint; hosts: bigint; broadcast: bigint | null; rule: CalcResult['rule'] } {
  const bits = bitsOf(c.version);
  const last = lastOf(c);
  if (c.prefix === bits) return { first: c.network, last, hosts: 1n, broadcast: null, rule: 'host-route' };
  if (c.version === 4) {
    // RFC 3021: a /31 point-to-point link has no network or broadcast address; both are hosts.
    if (c.prefix === 31) return { first: c.network, last, hosts: 2n, broadcast: null, rule: 'ipv4-31' };
    return { first: c.network + 1n, last: last - 1n, hosts: sizeOf(c) - 2n, broadcast: last, rule: 'normal' };
  }
  // IPv6 has no broadcast. RFC 6164: a /127 uses both addresses. Otherwise the all-zeros
  // address is the subnet-router anycast address (RFC 4291 §2.6.1), so one fewer host.
  if (c.prefix === 127) return { first: c.network, last, hosts: 2n, broadcast: null, rule: 'ipv6-127' };
  return { first: c.network + 1n, last, hosts: sizeOf(c) - 1n, broadcast: null, rule: 'ipv6-anycast' };
}

export function classOf(ip: Ip): CalcResult['class'] {
  if (ip.version !== 4) return null;
  const first = Number(ip.value >> 24n);
  if (first < 128) return 'A';
  if (first < 192) return 'B';
  if (first < 224) return 'C';
  if (first < 240) return 'D';
  return 'E';
}

export function calculate(input: CalcInput): CalcResult {
  const { ip, prefix } = input;
  const c = cidrOf(ip.version, ip.value, prefix);
  const range = hostRange(c);
  const type: AddressType = classify(ip);
  const noMixed = { mixed: false };
  return {
    version: ip.version,
    address: formatIp(ip.version, ip.value),
    zone: ip.zone ?? null,
    prefix,
    netmask: formatIp(ip.version, maskOf(ip.version, prefix), noMixed),
    wildcard: formatIp(ip.version, hostMaskOf(ip.version, prefix), noMixed),
    network: formatIp(ip.version, c.network),
    cidr: formatCidr(c),
    broadcast: range.broadcast === null ? null : formatIp(ip.version, range.broadcast),
    firstHost: formatIp(ip.version, range.first),
    lastHost: formatIp(ip.version, range.last),
    addresses: sizeOf(c).toString(),
    hosts: range.hosts.toString(),
    addressesPow2: bitsOf(ip.version) - prefix,
    class: classOf(ip),
    type: type.type,
    typeName: type.name,
    rfc: type.rfc,
    embeddedType: type.embedded?.type ?? null,
    reverse: reverseName(ip),
    assumed: input.assumed,
    maskKind: input.maskKind,
    ambiguousMask: input.ambiguousMask,
    rule: range.rule,
  };
}

/** Parse and calculate in one step, for the CLI and as-you-type in the panel. */
export function calc(text: string, mask?: string): CalcResult {
  return calculate(parseCalcInput(text, mask));
}

export interface SameResult {
  same: boolean;
  networkA: string;
  networkB: string;
  prefixA: number;
  prefixB: number;
}

/**
 * Are two addresses in one subnet? With one mask both are cut the same way. With a mask each,
 * the answer depends on who asks: A reaches B directly when B falls in A's network, and vice
 * versa — `same` is true only when both agree.
 */
export function sameSubnet(a: string, b: string, maskA: string, maskB?: string): SameResult {
  const ia = parseIp(a, 'addressA');
  const ib = parseIp(b, 'addressB');
  if (ia.version !== ib.version) {
    throw new SubnetError('mixed-versions', `addressB: ${a} is IPv${ia.version} and ${b} is IPv${ib.version}; they cannot share a subnet`, 'addressB', {
      a,
      b,
    });
  }
  const pa = parseCalcInput(a, maskA, 'maskA').prefix;
  const pb = maskB === undefined ? pa : parseCalcInput(b, maskB, 'maskB').prefix;
  const na = cidrOf(ia.version, ia.value, pa);
  const nb = cidrOf(ib.version, ib.value, pb);
  const aSeesB = (ib.value & maskOf(ia.version, pa)) === na.network;
  const bSeesA = (ia.value & maskOf(ib.version, pb)) === nb.network;
  return { same: aSeesB && bSeesA, networkA: formatCidr(na), networkB: formatCidr(nb), prefixA: pa, prefixB: pb };
}
