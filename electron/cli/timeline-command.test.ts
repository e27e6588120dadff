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

  it('--graph prints one stream graph as a series: tcptrace marks what tshark calls retransmissions, rtt is ack_rtt in ms', async () => {
    const lossy = fileURLToPath(new URL('../../test/fixtures/link/lossy-5pct.pcap', import.meta.url));
    const reading = (
      JSON.parse(readFileSync(`${lossy}.tshark.json`, 'utf8')) as { frames: { retransmission: boolean; ackRtt: number | null; srcPort: number }[] }
    ).frames;
    const trace = await runWirelab(['timeline', lossy, '--graph', 'tcptrace', '--json']);
    expect(trace.code).toBe(0);
    const t = JSON.parse(trace.stdout) as { stream: number; direction: string; unit: string; columns: string[]; points: (number | null)[][] };
    expect(Object.keys(t)).toEqual(['stream', 'direction', 'unit', 'columns', 'points']);
    // the client sent the data, so it is the default direction
    expect([t.stream, t.direction, t.unit]).toEqual([0, 'client', 'bytes']);
    expect(t.points.filter((p) => p[3] === 1).length).toBe(reading.filter((f) => f.retransmission && f.srcPort !== 5000).length);
    expect(t.points.every((p) => typeof p[0] === 'number')).toBe(true);

    const r = JSON.parse((await runWirelab(['timeline', lossy, '--graph', 'rtt', '--json'])).stdout) as { unit: string; points: number[][] };
    expect(r.unit).toBe('ms');
    const tsharkMs = new Set(reading.filter((f) => f.ackRtt !== null && f.srcPort === 5000).map((f) => Math.round(f.ackRtt! * 1e6)));
    expect(r.points.length).toBeGreaterThan(10);
    // every sample is one of tshark's ack_rtt values for the server's ACKs (a few are left out: Karn)
    expect(r.points.filter((p) => !tsharkMs.has(Math.round(p[1]! * 1000)))).toEqual([]);
    expect(r.points.length).toBeLessThan(tsharkMs.size + 1);

    const server = JSON.parse((await runWirelab(['timeline', lossy, '--graph', 'stevens', '--direction', 'server', '--json'])).stdout) as {
      points: number[][];
    };
    // the server sent only its SYN-ACK and FIN
    expect(server.points.length).toBeLessThanOrEqual(3);
    const csv = await runWirelab(['timeline', lossy, '--graph', 'throughput']);
    expect(csv.stdout.split('\n')[0]).toBe('t,bitsPerSecond');
  });

  it('--graph, --stream and --direction name the flag and the rule when they are wrong (exit 2)', async () => {
    const lossy = fileURLToPath(new URL('../../test/fixtures/link/lossy-5pct.pcap', import.meta.url));
    const cases: [string[], RegExp][] = [
      [['--graph', 'sequence'], /--graph must be one of stevens, tcptrace, throughput, rtt, window, not "sequence"/],
      [['--graph', 'rtt', '--stream', '1'], /--stream must be a connection's index from 0 to 0 \(the capture has 1\), not "1"/],
      [['--graph', 'rtt', '--direction', 'up'], /--direction must be client or server, not "up"/],
      [['--stream', '0'], /--stream goes with --graph/],
    ];
    for (const [flags, message] of cases) {
      const r = await runWirelab(['timeline', lossy, ...flags, '--json']);
      expect([r.code, r.stdout]).toEqual([2, '']);
      expect(r.stderr).toMatch(message);
    }
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
