import { cidrOf, contains, parseCidr, type Cidr } from './cidr.ts';
import type { Ip } from './ip.ts';

/**
 * The IANA special-purpose address registries (RFC 6890 and the RFCs each entry names), as
 * data. Lookup takes the most specific block that contains the address, so 192.0.0.0/24
 * (IETF protocol assignments) wins over nothing and 2001:db8::/32 wins over 2001::/23.
 */
export interface SpecialBlock {
  cidr: string;
  type: string;
  rfc: string;
  name: string;
}

export const specialBlocks4: SpecialBlock[] = [
  { cidr: '0.0.0.0/8', type: 'this-network', rfc: 'RFC 791', name: '“This network”' },
  { cidr: '0.0.0.0/32', type: 'unspecified', rfc: 'RFC 1122', name: 'This host on this network (unspecified)' },
  { cidr: '10.0.0.0/8', type: 'private', rfc: 'RFC 1918', name: 'Private-use' },
  { cidr: '100.64.0.0/10', type: 'shared', rfc: 'RFC 6598', name: 'Shared address space (carrier-grade NAT)' },
  { cidr: '127.0.0.0/8', type: 'loopback', rfc: 'RFC 1122', name: 'Loopback' },
  { cidr: '169.254.0.0/16', type: 'link-local', rfc: 'RFC 3927', name: 'Link-local' },
  { cidr: '172.16.0.0/12', type: 'private', rfc: 'RFC 1918', name: 'Private-use' },
  { cidr: '192.0.0.0/24', type: 'ietf-protocol', rfc: 'RFC 6890', name: 'IETF protocol assignments' },
  { cidr: '192.0.2.0/24', type: 'documentation', rfc: 'RFC 5737', name: 'Documentation (TEST-NET-1)' },
  { cidr: '192.88.99.0/24', type: '6to4-relay', rfc: 'RFC 7526', name: '6to4 relay anycast (deprecated)' },
  { cidr: '192.168.0.0/16', type: 'private', rfc: 'RFC 1918', name: 'Private-use' },
  { cidr: '198.18.0.0/15', type: 'benchmarking', rfc: 'RFC 2544', name: 'Benchmarking' },
  { cidr: '198.51.100.0/24', type: 'documentation', rfc: 'RFC 5737', name: 'Documentation (TEST-NET-2)' },
  { cidr: '203.0.113.0/24', type: 'documentation', rfc: 'RFC 5737', name: 'Documentation (TEST-NET-3)' },
  { cidr: '224.0.0.0/4', type: 'multicast', rfc: 'RFC 5771', name: 'Multicast (class D)' },
  { cidr: '240.0.0.0/4', type: 'reserved', rfc: 'RFC 1112', name: 'Reserved (class E)' },
  { cidr: '255.255.255.255/32', type: 'broadcast', rfc: 'RFC 919', name: 'Limited broadcast' },
];

export const specialBlocks6: SpecialBlock[] = [
  { cidr: '::/128', type: 'unspecified', rfc: 'RFC 4291', name: 'Unspecified address' },
  { cidr: '::1/128', type: 'loopback', rfc: 'RFC 4291', name: 'Loopback' },
  { cidr: '::ffff:0:0/96', type: 'ipv4-mapped', rfc: 'RFC 4291', name: 'IPv4-mapped address' },
  { cidr: '64:ff9b::/96', type: 'nat64', rfc: 'RFC 6052', name: 'IPv4/IPv6 translation (NAT64)' },
  { cidr: '64:ff9b:1::/48', type: 'nat64', rfc: 'RFC 8215', name: 'Local-use IPv4/IPv6 translation' },
  { cidr: '100::/64', type: 'discard', rfc: 'RFC 6666', name: 'Discard-only' },
  { cidr: '2001::/23', type: 'ietf-protocol', rfc: 'RFC 2928', name: 'IETF protocol assignments' },
  { cidr: '2001::/32', type: 'teredo', rfc: 'RFC 4380', name: 'Teredo' },
  { cidr: '2001:2::/48', type: 'benchmarking', rfc: 'RFC 5180', name: 'Benchmarking' },
  { cidr: '2001:db8::/32', type: 'documentation', rfc: 'RFC 3849', name: 'Documentation' },
  { cidr: '2002::/16', type: '6to4', rfc: 'RFC 3056', name: '6to4' },
  { cidr: '3fff::/20', type: 'documentation', rfc: 'RFC 9637', name: 'Documentation' },
  { cidr: '5f00::/16', type: 'srv6', rfc: 'RFC 9602', name: 'Segment Routing (SRv6) SIDs' },
  { cidr: 'fc00::/7', type: 'unique-local', rfc: 'RFC 4193', name: 'Unique local' },
  { cidr: 'fe80::/10', type: 'link-local', rfc: 'RFC 4291', name: 'Link-local unicast' },
  { cidr: 'ff00::/8', type: 'multicast', rfc: 'RFC 4291', name: 'Multicast' },
];

export interface AddressType {
  type: string;
  rfc: string | null;
  name: string;
  /** For IPv4-mapped IPv6: what the embedded IPv4 address is. */
  embedded?: AddressType;
}

// Parsed once, on first use.
let tables: { v4: [Cidr, SpecialBlock][]; v6: [Cidr, SpecialBlock][] } | null = null;
function load() {
  tables ??= {
    v4: specialBlocks4.map((b) => [parseCidr(b.cidr), b]),
    v6: specialBlocks6.map((b) => [parseCidr(b.cidr), b]),
  };
  return tables;
}

export function classify(ip: Ip): AddressType {
  const t = load();
  let best: [Cidr, SpecialBlock] | null = null;
  for (const entry of ip.version === 4 ? t.v4 : t.v6) {
    if (contains(entry[0], ip.version, ip.value) && (!best || entry[0].prefix > best[0].prefix)) best = entry;
  }
  if (best) {
    const result: AddressType = { type: best[1].type, rfc: best[1].rfc, name: best[1].name };
    if (best[1].type === 'ipv4-mapped') result.embedded = classify({ version: 4, value: ip.value & 0xffff_ffffn });
    return result;
  }
  if (ip.version === 6 && !contains(cidrOf(6, 0x2000n << 112n, 3), 6, ip.value)) {
    return { type: 'reserved', rfc: 'RFC 4291', name: 'Not allocated for unicast (outside 2000::/3)' };
  }
  return { type: 'global', rfc: null, name: 'Global unicast' };
}
