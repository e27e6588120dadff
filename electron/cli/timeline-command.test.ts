import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runWirelab } from '../../test/support/spawn-cli.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../../test/fixtures/captures/${name}`, import.meta.url));

interface Doc {
  streams: {
    client: string;
    server: string;
    guessed: boolean;
    handshakeRttMs: number | null;
    segments: {
      frame: number;
      t: number;
      from: string;
      flags: string[];
      seq: number;
      ack: number | null;
      relSeq: number;
      relAck: number | null;
      len: number;
      win: number;
      badges: string[];
      dupAckNum: number | null;
    }[];
    states: { client: { t: number; state: string }[]; server: { t: number; state: string }[] };
  }[];
}

describe('wirelab timeline', () => {
  it('prints a capture file as the documented JSON', async () => {
    const r = await runWirelab(['timeline', fixture('lo-normal.pcap'), '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as Doc;
    expect(doc.streams).toHaveLength(1);
    const s = doc.streams[0]!;
    expect(Object.keys(s)).toEqual(['client', 'server', 'guessed', 'handshakeRttMs', 'segments', 'states']);
    expect(Object.keys(s.segments[0]!)).toEqual(['frame', 't', 'from', 'flags', 'seq', 'ack', 'relSeq', 'relAck', 'len', 'win', 'badges', 'dupAckNum']);
    expect(s.segments[0]).toMatchObject({ frame: 1, t: 0, from: 'client', flags: ['SYN'], ack: null, relSeq: 0, relAck: null, len: 0 });
    expect(s.segments[1]).toMatchObject({ frame: 2, from: 'server', flags: ['SYN', 'ACK'], relSeq: 0, relAck: 1 });
    // Absolute and relative agree: relSeq = seq − ISN.
    expect(s.segments[2]!.seq - s.segments[0]!.seq).toBe(1);
    expect(s.states.client.map((x) => x.state)).toEqual(['SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT']);
    expect(s.states.server[0]).toEqual({ t: 0, state: 'LISTEN' });
    expect(s.handshakeRttMs).toBeGreaterThan(0);
  });

  it('labels the anomalies of a capture over a lossy link as Wireshark does (badges, duplicate ACK #n)', async () => {
    const lossy = fileURLToPath(new URL('../../test/fixtures/graphs/lossy-4pct.pcap', import.meta.url));
    const r = await runWirelab(['timeline', lossy, '--json']);
    expect(r.code).toBe(0);
    const segs = (JSON.parse(r.stdout) as Doc).streams[0]!.segments;
    // tshark's reading of the same file, committed beside it
    const reading = (
      JSON.parse(readFileSync(`${lossy}.tshark.json`, 'utf8')) as {
        frames: { frame: number; retransmission?: boolean; fastRetransmission?: boolean; dupAckNum?: number }[];
      }
    ).frames;
    const resent = (g: Doc['streams'][number]['segments'][number]) => g.badges.some((b) => /retransmission$/.test(b));
    expect(segs.filter(resent).map((g) => g.frame)).toEqual(reading.filter((f) => f.retransmission).map((f) => f.frame));
    expect(segs.filter((g) => g.badges.includes('fast-retransmission')).map((g) => g.frame)).toEqual(
      reading.filter((f) => f.fastRetransmission).map((f) => f.frame),
    );
    expect(segs.filter((g) => g.badges.includes('dup-ack')).map((g) => [g.frame, g.dupAckNum])).toEqual(
      reading.filter((f) => f.dupAckNum !== undefined).map((f) => [f.frame, f.dupAckNum]),
    );
    expect(segs.some((g) => g.badges.includes('fast-retransmission'))).toBe(true);
    const text = await runWirelab(['timeline', lossy]);
    expect(text.stdout).toMatch(/\[dup-ack #3\]/);
  });

  it('prints what it could read of a truncated file, then says where it broke (exit 1)', async () => {
    const r = await runWirelab(['timeline', fixture('truncated.pcap'), '--json']);
    expect(r.code).toBe(1);
    expect((JSON.parse(r.stdout) as Doc).streams[0]!.segments).toHaveLength(9);
    expect(r.stderr).toMatch(/truncated \(at byte \d+, after 9 packets\)/);
  });

  it('names the problem with a file that is not a capture, or not there (exit 2)', async () => {
    const notCapture = await runWirelab(['timeline', fileURLToPath(new URL('../../package.json', import.meta.url))]);
    expect(notCapture.code).toBe(2);
    expect(notCapture.stderr).toMatch(/not a capture file: it starts with 0x/);
    const missing = await runWirelab(['timeline', '/nonexistent.pcap']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/file: cannot read "\/nonexistent.pcap" \(ENOENT\)/);
  });

  it('--connect makes a real connection, captures it and prints its diagram', async () => {
    const server = createServer((s) => s.on('data', (d) => s.write(d)).on('end', () => s.end()));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const r = await runWirelab(['timeline', '--connect', '127.0.0.1', String(port), '--send', 'ping', '--wait', '100', '--json']);
      expect(r.stderr).toBe('');
      const s = (JSON.parse(r.stdout) as Doc).streams;
      expect(s).toHaveLength(1);
      expect(s[0]!.server).toBe(`127.0.0.1:${port}`);
      expect(s[0]!.segments.slice(0, 3).map((g) => g.flags.join('+'))).toEqual(['SYN', 'SYN+ACK', 'ACK']);
      expect(s[0]!.segments.filter((g) => g.len === 4).map((g) => g.from)).toEqual(['client', 'server']);
      expect(s[0]!.states.client.at(-1)!.state).toBe('TIME_WAIT');
    } finally {
      server.close();
    }
  });

  it('--connect to a closed port shows the SYN and the RST, and the refusal', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await new Promise((r) => server.close(r));
    const r = await runWirelab(['timeline', '--connect', '127.0.0.1', String(port), '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/ECONNREFUSED/);
    const s = (JSON.parse(r.stdout) as Doc).streams[0]!;
    expect(s.segments.map((g) => g.flags.join('+'))).toEqual(['SYN', 'RST+ACK']);
    expect(s.states.client.map((x) => x.state)).toEqual(['SYN_SENT', 'CLOSED']);
  });

  it('checks its arguments', async () => {
    const r = await runWirelab(['timeline', '--connect', '127.0.0.1', '99999']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/port/);
    const none = await runWirelab(['timeline']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/timeline needs one capture file/);
  });
});
