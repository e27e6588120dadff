import { describe, expect, it } from 'vitest';
import { runWirelab } from '../../test/support/spawn-cli.ts';

async function json(args: string[]): Promise<unknown> {
  const r = await runWirelab([...args, '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout.trim().split('\n')).toHaveLength(1);
  return JSON.parse(r.stdout);
}

describe('wirelab calc / same / split / summarize', () => {
  it('calc --json has the public fields, counts as decimal strings', async () => {
    expect(await json(['calc', '192.168.7.20', '255.255.255.0'])).toMatchObject({
      version: 4,
      address: '192.168.7.20',
      prefix: 24,
      netmask: '255.255.255.0',
      wildcard: '0.0.0.255',
      network: '192.168.7.0',
      broadcast: '192.168.7.255',
      firstHost: '192.168.7.1',
      lastHost: '192.168.7.254',
      addresses: '256',
      hosts: '254',
      class: 'C',
      type: 'private',
      rfc: 'RFC 1918',
      reverse: '20.7.168.192.in-addr.arpa',
      assumed: false,
    });
    expect(await json(['calc', '100.64.1.1'])).toMatchObject({ prefix: 32, assumed: true, type: 'shared', hosts: '1' });
    expect(await json(['calc', '2001:db8::1/48'])).toMatchObject({ addresses: '1208925819614629174706176', broadcast: null, class: null });
  });

  it('same --json: the course notes example both ways', async () => {
    expect(await json(['same', '192.168.7.20', '192.168.13.18', '255.255.255.0'])).toMatchObject({
      same: false,
      networkA: '192.168.7.0/24',
      networkB: '192.168.13.0/24',
    });
    expect(await json(['same', '192.168.7.20', '192.168.13.18', '255.255.0.0'])).toMatchObject({ same: true });
  });

  it('split --json by prefix, count and hosts', async () => {
    const byPrefix = (await json(['split', '10.0.0.0/8', '--prefix', '24'])) as { subnets: { cidr: string; hosts: string }[]; unused: string[] };
    expect(byPrefix.subnets).toHaveLength(65_536);
    expect(byPrefix.subnets[0]).toEqual({ cidr: '10.0.0.0/24', hosts: '254' });
    expect(byPrefix.subnets.at(-1)).toEqual({ cidr: '10.255.255.0/24', hosts: '254' });
    expect(await json(['split', '192.168.0.0/24', '--count', '3'])).toEqual({
      subnets: [
        { cidr: '192.168.0.0/26', hosts: '62' },
        { cidr: '192.168.0.64/26', hosts: '62' },
        { cidr: '192.168.0.128/26', hosts: '62' },
      ],
      unused: ['192.168.0.192/26'],
    });
    expect(await json(['split', '192.168.1.0/24', '--hosts', '50,20,2'])).toMatchObject({
      unused: ['192.168.1.100/30', '192.168.1.104/29', '192.168.1.112/28', '192.168.1.128/25'],
    });
  });

  it('summarize --json collapses CIDRs and ranges', async () => {
    expect(await json(['summarize', '10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/23'])).toEqual({ cidrs: ['10.0.0.0/22'] });
    expect(await json(['summarize', '192.168.0.0-192.168.0.255', '2001:db8::/33', '2001:db8:8000::/33'])).toEqual({
      cidrs: ['192.168.0.0/24', '2001:db8::/32'],
    });
  });

  it.each([
    [['calc', '10.1.1.300/24'], /300 in "10.1.1.300" is over 255/],
    [['calc', '10.1.1.1', '255.0.255.0'], /not a netmask/],
    [['split', '10.0.0.0/8', '--prefix', '25'], /makes 131072 subnets; Wirelab lists at most 65,536/],
    [['split', '10.0.0.0/8'], /say how to split/],
    [['same', '10.0.0.1', '::1', '/8'], /cannot share a subnet/],
    [['summarize', '10.0.0.9-10.0.0.1'], /ends before it starts/],
  ])('%j: one line on stderr, exit 2, empty stdout', async (args, message) => {
    const r = await runWirelab([...(args as string[]), '--json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message as RegExp);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
