import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { KernelState } from '../contract/timeline.ts';
import { analyzeStream } from './tcp-analysis.ts';
import { readTcpPackets } from './tcp-packet.ts';
import { groupStreams } from './tcp-streams.ts';
import { inTimeWait, timeWaitLeft } from './time-wait.ts';

const analysisOf = (name: string) => {
  const { packets } = readTcpPackets(new Uint8Array(readFileSync(new URL(`../../test/fixtures/captures/${name}`, import.meta.url))));
  return analyzeStream(groupStreams(packets)[0]!);
};

describe('the TIME_WAIT countdown', () => {
  // lo-normal.pcap: the client closes first, so it is the side left in TIME_WAIT.
  const a = analysisOf('lo-normal.pcap');
  const entered = a.startSec + a.startNs / 1e9 + a.states.client.at(-1)!.t;

  it("counts the OS's default down from the segment that entered TIME_WAIT, on the closing side only", () => {
    expect(inTimeWait(a)).toBe(true);
    const linux = timeWaitLeft(a, [], 'linux', (entered + 10) * 1000);
    expect(linux.client).toBeCloseTo(50, 6);
    expect(linux.server).toBeNull();
    expect(timeWaitLeft(a, [], 'darwin', (entered + 10) * 1000).client).toBeCloseTo(20, 6);
    expect(timeWaitLeft(a, [], 'win32', (entered + 10) * 1000).client).toBeCloseTo(110, 6);
    // Over once the time has passed: the panel says so instead of counting below zero.
    expect(timeWaitLeft(a, [], 'linux', (entered + 61) * 1000).client).toBeLessThan(0);
  });

  it("prefers the kernel's own timer, read when the socket table was polled", () => {
    const read = entered + 0.5;
    const k = (over: Partial<KernelState>): KernelState => ({
      tsSec: Math.floor(read),
      tsNs: Math.round((read % 1) * 1e9),
      client: a.client,
      side: 'client',
      state: 'TIME_WAIT',
      timerSec: 42,
      ...over,
    });
    expect(timeWaitLeft(a, [k({})], 'linux', (read + 2) * 1000).client).toBeCloseTo(40, 3);
    // A "now" from before the reading (a panel that had not ticked yet) adds nothing: never past the kernel's 42 s.
    expect(timeWaitLeft(a, [k({})], 'linux', (read - 3) * 1000).client).toBe(42);
    // Another connection's timer, the other side's, or a reading without a timer do not count.
    expect(timeWaitLeft(a, [k({ client: '10.0.0.1:1' }), k({ side: 'server' }), k({ timerSec: null })], 'linux', (entered + 10) * 1000).client).toBeCloseTo(
      50,
      6,
    );
  });

  it('shows nothing for a connection that did not end in TIME_WAIT', () => {
    const refused = analysisOf('refused.pcap');
    expect(inTimeWait(refused)).toBe(false);
    expect(timeWaitLeft(refused, [], 'linux', Date.now())).toEqual({ client: null, server: null });
  });
});
