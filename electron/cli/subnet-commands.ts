import { calc, sameSubnet, type CalcResult } from '../../shared/subnet/calc.ts';
import { groupDigits } from '../../shared/subnet/ip.ts';
import { split, summarize, type SplitBy } from '../../shared/subnet/plan.ts';
import { UsageError, type CliIo } from './cli-io.ts';

export const calcHelp = `wirelab calc <address[/prefix]> [mask] [--json]

  wirelab calc 192.168.7.20/24
  wirelab calc 192.168.7.20 255.255.255.0     (or a wildcard: 0.0.0.255)
  wirelab calc 2001:db8::1/64 --json
A host address without a prefix or mask means /32 (/128), and says so.`;

export const sameHelp = `wirelab same <addressA> <addressB> <mask|/prefix> [maskB] [--json]

  wirelab same 192.168.7.20 192.168.13.18 255.255.255.0   → not the same subnet
  wirelab same 192.168.7.20 192.168.13.18 /16              → the same subnet`;

export const splitHelp = `wirelab split <cidr> (--prefix N | --count K | --hosts a,b,c) [--json]

  --prefix N       equal subnets of prefix length N
  --count K        K equal subnets (the smallest size that gives K; the rest is listed as unused)
  --hosts a,b,c    VLSM: one subnet per host count, largest first; the rest is listed as unused
At most 65,536 subnets.`;

export const summarizeHelp = `wirelab summarize <cidr | address | first-last>... [--json]

  wirelab summarize 10.0.0.0/24 10.0.1.0/24        → 10.0.0.0/23
  wirelab summarize 192.168.0.5-192.168.0.20`;

function printCalc(r: CalcResult, io: CliIo): void {
  const rows: [string, string][] = [
    ['Address', r.zone ? `${r.address}%${r.zone}` : r.address],
    ['Prefix', `/${r.prefix}${r.assumed ? ` (assumed: no prefix or mask was given, so a single host)` : ''}`],
    ['Netmask', r.netmask],
    ['Wildcard', r.wildcard],
    ['Network', r.cidr],
    ['Broadcast', r.broadcast ?? (r.version === 6 ? 'none (IPv6 has no broadcast)' : r.rule === 'ipv4-31' ? 'none (/31, RFC 3021)' : 'none (single host)')],
    ['First host', r.firstHost],
    ['Last host', r.lastHost],
    ['Addresses', `${groupDigits(r.addresses)}${r.version === 6 ? ` (2^${r.addressesPow2})` : ''}`],
    ['Usable hosts', groupDigits(r.hosts)],
  ];
  if (r.class) rows.push(['Class', r.class]);
  rows.push(['Type', `${r.type}${r.rfc ? ` (${r.rfc})` : ''}${r.embeddedType ? `, embedded IPv4 is ${r.embeddedType}` : ''}`]);
  rows.push(['Reverse DNS', r.reverse]);
  for (const [k, v] of rows) io.out(`${k.padEnd(13)} ${v}`);
}

function positionals(args: string[]): { json: boolean; rest: string[] } {
  const json = args.includes('--json');
  return { json, rest: args.filter((a) => a !== '--json') };
}

export function calcCommand(args: string[], io: CliIo): number {
  const { json, rest } = positionals(args);
  const unknown = rest.find((a) => a.startsWith('--'));
  if (unknown) throw new UsageError(`unknown option ${unknown} (try wirelab calc --help)`);
  if (rest.length < 1 || rest.length > 2) throw new UsageError('calc takes an address and an optional mask (try wirelab calc --help)');
  const r = calc(rest[0]!, rest[1]);
  if (json) io.out(JSON.stringify(r));
  else printCalc(r, io);
  return 0;
}

export function sameCommand(args: string[], io: CliIo): number {
  const { json, rest } = positionals(args);
  if (rest.length < 3 || rest.length > 4) throw new UsageError('same takes two addresses and a mask (and optionally a second mask); try wirelab same --help');
  const r = sameSubnet(rest[0]!, rest[1]!, rest[2]!, rest[3]);
  if (json) io.out(JSON.stringify(r));
  else io.out(r.same ? `Same subnet: ${r.networkA}` : `Not the same subnet: ${rest[0]} is in ${r.networkA}, ${rest[1]} is in ${r.networkB}`);
  return 0;
}

function wholeNumber(flag: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} must be a whole number, not "${value}"`);
  return Number(value);
}

export function splitCommand(args: string[], io: CliIo): number {
  const { json, rest } = positionals(args);
  let by: SplitBy | null = null;
  const free: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    if (flag === '--prefix' || flag === '--count' || flag === '--hosts') {
      const value = inline ?? rest[++i];
      if (value === undefined) throw new UsageError(`${flag} needs a value`);
      if (by) throw new UsageError('give one of --prefix, --count or --hosts');
      if (flag === '--prefix') by = { prefix: wholeNumber('--prefix', value.replace(/^\//, '')) };
      else if (flag === '--count') by = { count: wholeNumber('--count', value) };
      else by = { hosts: value.split(',').map((h) => wholeNumber('--hosts', h.trim())) };
    } else if (a.startsWith('--')) {
      throw new UsageError(`unknown option ${a} (try wirelab split --help)`);
    } else free.push(a);
  }
  if (free.length !== 1) throw new UsageError('split takes one network, like 10.0.0.0/8 (try wirelab split --help)');
  if (!by) throw new UsageError('say how to split: --prefix N, --count K or --hosts a,b,c');
  const r = split(free[0]!, by);
  if (json) io.out(JSON.stringify({ subnets: r.subnets, unused: r.unused }));
  else {
    for (const s of r.subnets) io.out(`${s.cidr.padEnd(44)} ${groupDigits(s.hosts)} hosts${s.requested !== undefined ? ` (asked for ${s.requested})` : ''}`);
    if (r.unused.length) io.out(`unused: ${r.unused.join(' ')}`);
  }
  return 0;
}

export function summarizeCommand(args: string[], io: CliIo): number {
  const { json, rest } = positionals(args);
  const unknown = rest.find((a) => a.startsWith('--'));
  if (unknown) throw new UsageError(`unknown option ${unknown} (try wirelab summarize --help)`);
  if (rest.length === 0) throw new UsageError('summarize takes one or more networks or ranges (try wirelab summarize --help)');
  const r = summarize(rest);
  if (json) io.out(JSON.stringify(r));
  else for (const c of r.cidrs) io.out(c);
  return 0;
}
