import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { zeroCounters, type SenderEvent, type SessionInfo } from '../contract/sender.ts';
import { readTcpPackets } from '../timeline/tcp-packet.ts';
import { logToJson, logToPcap, logToPcapCounted, logToText } from './log-export.ts';
import { parseHex } from './payload.ts';

/** The log's entries as the backend holds them: full bytes (the events' hex here is the whole chunk). */
const entriesOf = (es: SenderEvent[]) => es.map((e) => ({ ...e, bytes: parseHex(e.hex) }));

const info: SessionInfo = { id: 's', kind: 'tcp-client', local: '127.0.0.1:50000', remote: '127.0.0.1:8080', connectMs: 1, state: 'open', ...zeroCounters };
const ev = (p: Partial<SenderEvent>): SenderEvent => ({
  sessionId: 's',
  seq: 1,
  type: 'chunk',
  dir: 'out',
  at: 1_700_000_000_000,
  peer: '127.0.0.1:8080',
  length: 0,
  hex: '',
  text: '',
  truncated: false,
  code: null,
  message: null,
  ...p,
});
const events: SenderEvent[] = [
  ev({ type: 'connect', peer: '127.0.0.1:8080', message: 'from 127.0.0.1:50000 in 1 ms' }),
  ev({ dir: 'out', at: 1_700_000_000_010, length: 6, hex: 'e4bda0e5a5bd', text: '你好' }),
  ev({ dir: 'in', at: 1_700_000_000_020, length: 8, hex: '6f6b0d0a6f6b0d0a', text: 'ok\r\nok\r\n' }),
  ev({ type: 'message', dir: 'in', at: 1_700_000_000_020, length: 2, hex: '6f6b', text: 'ok' }),
];

describe('log export', () => {
  it('text: one line per event with control characters visible', () => {
    const text = logToText(info, events);
    expect(text.split('\n')[0]).toBe('# Wirelab tcp-client 127.0.0.1:50000 -> 127.0.0.1:8080');
    expect(text).toContain('+0.010s');
    expect(text).toContain('-> 127.0.0.1:8080\t6 B\t你好\te4bda0e5a5bd');
    expect(text).toContain('ok\\r\\nok\\r\\n');
  });

  it('JSON keeps every event', () => {
    expect(JSON.parse(logToJson(info, events))).toMatchObject({ format: 'wirelab-log', session: { id: 's' }, events: { length: 4 } });
  });

  it('pcap: tcpdump reads it back with the right addresses, ports, seq/ack and lengths', () => {
    const pcap = logToPcap(info, entriesOf(events));
    expect([...pcap.subarray(0, 4)]).toEqual([0xd4, 0xc3, 0xb2, 0xa1]);
    const tcpdump = spawnSync('sh', ['-c', 'command -v tcpdump']).status === 0;
    if (!tcpdump) {
      // .ci/run installs tcpdump; on a bare machine say why the oracle part did not run.
      console.log('pcap oracle skipped: tcpdump is not installed');
      return;
    }
    const file = join(mkdtempSync(join(tmpdir(), 'wirelab-pcap-')), 'log.pcap');
    writeFileSync(file, pcap);
    const r = spawnSync('tcpdump', ['-nn', '-S', '-tt', '-r', file], { encoding: 'utf8' });
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^1700000000\.010000 IP 127\.0\.0\.1\.50000 > 127\.0\.0\.1\.8080: Flags \[P\.\], seq 1:7, ack 1, win 65535, length 6/);
    expect(lines[1]).toMatch(/^1700000000\.020000 IP 127\.0\.0\.1\.8080 > 127\.0\.0\.1\.50000: Flags \[P\.\], seq 1:9, ack 7, win 65535, length 8/);
  });

  it('pcap for UDP over IPv6', () => {
    const u: SessionInfo = { ...info, kind: 'udp', local: '[::1]:5000', remote: null };
    const pcap = logToPcap(u, entriesOf([ev({ dir: 'in', peer: '[::1]:6000', length: 3, hex: '616263', text: 'abc' })]));
    const file = join(mkdtempSync(join(tmpdir(), 'wirelab-pcap-')), 'u.pcap');
    writeFileSync(file, pcap);
    const r = spawnSync('tcpdump', ['-nn', '-r', file], { encoding: 'utf8' });
    if (r.error) {
      console.log('pcap oracle skipped: tcpdump is not installed');
      return;
    }
    expect(r.stdout).toMatch(/IP6 ::1\.6000 > ::1\.5000: UDP, length 3/);
  });

  it.each([
    ['IPv4', '127.0.0.1:50000', '127.0.0.1:8080', 65_495],
    ['IPv6', '[::1]:50000', '[::1]:8080', 65_515],
  ])('pcap over %s: a chunk longer than one IP packet goes out as segments whose payload adds up to it, seq continuing', (_, local, peer, max) => {
    // one 200,000-byte write and a 70,000-byte read: more than IP's 16-bit length can say in one packet
    const out = new Uint8Array(200_000).map((_, i) => i % 251);
    const back = new Uint8Array(70_000).fill(7);
    const entries = [
      { type: 'chunk' as const, dir: 'out' as const, at: 1_700_000_000_000, peer, bytes: out },
      { type: 'chunk' as const, dir: 'in' as const, at: 1_700_000_000_010, peer, bytes: back },
    ];
    const { pcap, packets } = logToPcapCounted({ kind: 'tcp-client', local }, entries);
    const read = readTcpPackets(pcap);
    expect(read.problem).toBeNull();
    expect(packets).toBe(read.packets.length);
    const sent = read.packets.filter((p) => p.dstPort === 8080);
    const got = read.packets.filter((p) => p.srcPort === 8080);
    expect(sent.map((p) => p.len)).toEqual([max, max, max, 200_000 - 3 * max]);
    expect(sent.map((p) => p.seq)).toEqual([1, 1 + max, 1 + 2 * max, 1 + 3 * max]);
    expect(got.map((p) => p.len)).toEqual([max, 70_000 - max]);
    const file = join(mkdtempSync(join(tmpdir(), 'wirelab-pcap-')), 'big.pcap');
    writeFileSync(file, pcap);
    const r = spawnSync('tshark', ['-r', file, '-T', 'fields', '-e', 'tcp.srcport', '-e', 'tcp.len'], { encoding: 'utf8', timeout: 30_000 });
    if (r.error) {
      console.log('pcap oracle skipped: tshark is not installed');
      return;
    }
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split('\t').map(Number));
    const sum = (port: number) => rows.filter(([p]) => p === port).reduce((a, [, n]) => a + n!, 0);
    expect(sum(50000)).toBe(200_000);
    expect(sum(8080)).toBe(70_000);
  });
});
