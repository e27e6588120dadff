/**
 * What tcpdump says about its own capture as it ends (on SIGTERM it prints its pcap_stats(3PCAP)
 * to stderr, tcpdump(8)):
 *
 *   12 packets captured
 *   12 packets received by filter
 *   0 packets dropped by kernel
 *
 * "dropped by kernel" counts packets the filter matched that found no room in the capture's ring
 * buffer: the wire carried them, the file does not have them. (Newer versions add "N packets
 * dropped by interface", the interface's own receive drops: the stack never saw those either,
 * so they are no gap in the capture.)
 */
export function tcpdumpKernelDrops(stderr: string): number | null {
  const m = /^(\d+) packets? dropped by kernel$/m.exec(stderr);
  return m ? Number(m[1]) : null;
}
