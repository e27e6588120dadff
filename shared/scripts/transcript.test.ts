import { describe, expect, it } from 'vitest';
import { limits } from '../contract/limits.ts';
import { readTcpPackets } from '../timeline/tcp-packet.ts';
import { entryOverhead } from '../sender/session-log.ts';
import { ScriptTranscript } from './transcript.ts';

const chunk = (step: number, n: number, fill: number, dir: 'in' | 'out' = 'in') => ({
  step,
  round: 1,
  dir,
  at: 1_700_000_000_000 + step,
  peer: '127.0.0.1:9000',
  bytes: new Uint8Array(n).fill(fill),
});

describe('a script run transcript (shared/scripts/transcript.ts)', () => {
  it('keeps every chunk under its bound, and past it drops the oldest first and counts them with their bytes', () => {
    const t = new ScriptTranscript(10_000);
    for (let i = 0; i < 3; i++) t.add(chunk(i, 1000, i));
    expect(t.stats()).toEqual({ chunks: 3, bytes: 3000, dropped: 0, droppedBytes: 0 });
    // each chunk costs its bytes + the sender log's per-entry cost (+ its peer's text): ~1,670 bytes here
    for (let i = 3; i < 20; i++) t.add(chunk(i, 1000, i));
    const s = t.stats();
    expect(s.dropped).toBeGreaterThan(0);
    expect(s.chunks + s.dropped).toBe(20);
    expect(s.droppedBytes).toBe(s.dropped * 1000);
    expect(s.chunks * (1000 + entryOverhead)).toBeLessThanOrEqual(10_000);
    // the newest stay: a failed step at the end is what a student opens
    expect(t.all().map((c) => c.step)).toEqual(Array.from({ length: s.chunks }, (_, i) => 20 - s.chunks + i));
    expect(t.ofStep(19, 1)[0]!.bytes[0]).toBe(19);
    expect(t.ofStep(0, 1)).toEqual([]);
  });

  it('a chunk larger than the whole bound is counted as dropped, not kept', () => {
    const t = new ScriptTranscript(4096);
    t.add(chunk(0, 10, 1));
    t.add(chunk(1, 8192, 2));
    expect(t.stats()).toEqual({ chunks: 1, bytes: 10, dropped: 1, droppedBytes: 8192 });
  });

  it('the default bound is the named limit (limits.scriptTranscriptBytes)', () => {
    expect(new ScriptTranscript().budget).toBe(limits.scriptTranscriptBytes);
  });

  it('exports as pcap through the sender log writer: TCP sequence numbers continue per direction', () => {
    const t = new ScriptTranscript();
    t.ends = { kind: 'tcp', local: '127.0.0.1:40000', remote: '127.0.0.1:9000' };
    t.add({ ...chunk(0, 0, 0, 'out'), bytes: new TextEncoder().encode('hello') });
    t.add({ ...chunk(1, 0, 0), bytes: new TextEncoder().encode('hello back') });
    t.add({ ...chunk(2, 0, 0, 'out'), bytes: new TextEncoder().encode('bye') });
    const { packets } = readTcpPackets(t.toPcap().pcap);
    expect(packets.map((p) => [p.srcPort, p.dstPort, p.len, p.seq])).toEqual([
      [40000, 9000, 5, 1],
      [9000, 40000, 10, 1],
      [40000, 9000, 3, 6],
    ]);
  });

  it('says how many packets the pcap holds: a long chunk is several segments, one from the other IP version none', () => {
    const t = new ScriptTranscript();
    t.ends = { kind: 'tcp', local: '127.0.0.1:40000', remote: '127.0.0.1:9000' };
    t.add({ ...chunk(0, 0, 0, 'out'), bytes: new Uint8Array(200_000) });
    t.add({ ...chunk(1, 0, 0), peer: '[::1]:9000', bytes: new Uint8Array(5) });
    const { pcap, packets } = t.toPcap();
    expect(t.stats().chunks).toBe(2);
    expect(packets).toBe(4);
    expect(readTcpPackets(pcap).packets.map((p) => p.len)).toEqual([65_495, 65_495, 65_495, 200_000 - 3 * 65_495]);
  });
});
