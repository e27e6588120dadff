import { describe, expect, it } from 'vitest';
import { tcpdumpKernelDrops } from './tcpdump-stats.ts';

describe('tcpdumpKernelDrops', () => {
  it('reads the count tcpdump prints as it ends, in the plural and the singular', () => {
    const banner = 'tcpdump: listening on a0, link-type EN10MB (Ethernet), snapshot length 640 bytes\n';
    expect(tcpdumpKernelDrops(`${banner}326 packets captured\n508 packets received by filter\n182 packets dropped by kernel\n`)).toBe(182);
    expect(tcpdumpKernelDrops(`${banner}1 packet captured\n2 packets received by filter\n1 packet dropped by kernel\n`)).toBe(1);
    expect(tcpdumpKernelDrops(`${banner}40 packets captured\n40 packets received by filter\n0 packets dropped by kernel\n`)).toBe(0);
  });

  it('does not take the interface’s drops for the capture’s, and says null when tcpdump printed no count', () => {
    expect(tcpdumpKernelDrops('40 packets captured\n40 packets received by filter\n0 packets dropped by kernel\n7 packets dropped by interface\n')).toBe(0);
    expect(tcpdumpKernelDrops('tcpdump: listening on a0\n')).toBeNull();
    expect(tcpdumpKernelDrops('')).toBeNull();
  });
});
