import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { KernelState } from '../../../../shared/contract/index.ts';
import { readTcpPackets } from '../../../../shared/timeline/tcp-packet.ts';
import { groupStreams } from '../../../../shared/timeline/tcp-streams.ts';
import { analyzeStream, buildRows } from './timeline-rows.ts';

// lo-normal.pcap: a real loopback capture; the client closes first and ends in TIME_WAIT.
const { packets } = readTcpPackets(new Uint8Array(readFileSync(new URL('../../../../test/fixtures/captures/lo-normal.pcap', import.meta.url))));
const a = analyzeStream(groupStreams(packets)[0]!);
const at = (rel: number): Pick<KernelState, 'tsSec' | 'tsNs'> => {
  const abs = a.startSec + a.startNs / 1e9 + rel;
  return { tsSec: Math.floor(abs), tsNs: Math.round((abs % 1) * 1e9) };
};
const reading = (state: string, rel: number): KernelState => ({
  ...at(rel),
  client: a.client,
  side: 'client',
  state,
  timerSec: state === 'TIME_WAIT' ? 60 : null,
});
const order = (rows: ReturnType<typeof buildRows>) =>
  rows.map((r) => (r.kind === 'segment' ? `#${r.seg.frame}` : r.kind === 'kernel' ? `k:${r.kernel.state}` : r.kind));

describe('kernel readings on the time axis', () => {
  const enteredTw = a.states.client.find((c) => c.state === 'TIME_WAIT')!.t;
  const firstFin = a.segments.find((g) => g.from === 'client' && g.flags.includes('FIN'))!;
  const entering = a.segments.find((g) => g.t === enteredTw)!;

  it('a state stamped before the segment that entered it (the read waited) is drawn just after that segment', () => {
    const rows = buildRows(a, [], [reading('TIME_WAIT', firstFin.t - 0.0002)]);
    const o = order(rows);
    expect(o.indexOf('k:TIME_WAIT')).toBe(o.indexOf(`#${entering.frame}`) + 1);
    expect(rows.find((r) => r.kind === 'kernel')!.t).toBe(enteredTw);
  });

  it('a state seen at its stamp stays there: ESTABLISHED before the FIN that ended it', () => {
    const rows = buildRows(a, [], [reading('ESTABLISHED', firstFin.t - 0.0001)]);
    const o = order(rows);
    expect(o.indexOf('k:ESTABLISHED')).toBeLessThan(o.indexOf(`#${firstFin.frame}`));
  });
});
