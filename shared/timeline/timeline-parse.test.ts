import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CaptureReader, readCapture } from './pcap-reader.ts';
import { decodeTcp, readTcpPackets, tcpOptions } from './tcp-packet.ts';
import { groupStreams } from './tcp-streams.ts';
import { analyzeStream } from './tcp-analysis.ts';

/**
 * Every fixture is a real capture made on loopback here (scripts/make-capture-fixtures.py:
 * tcpdump on lo and `-i any`, `--nano`, IPv6, dumpcap's pcapng, and rewrites into big-endian,
 * NULL, LOOP and RAW link types), with tshark 4.0's reading of it stored beside it. The parser
 * must agree with tshark on every TCP frame, field by field.
 */
const dir = new URL('../../test/fixtures/captures/', import.meta.url);
const files = readdirSync(dir).filter((f) => /\.(pcap|pcapng)$/.test(f));

interface OracleFrame {
  frame: number;
  time: string;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  len: number;
  win: number;
  relSeq: number;
  relAck: number | null;
  stream: number;
  winScaled: number;
  mss: number | null;
  wscale: number | null;
  retransmission: boolean;
  dupAck: boolean;
  zeroWindow: boolean;
  keepAlive: boolean;
  keepAliveAck: boolean;
  windowUpdate: boolean;
}

function load(name: string) {
  const bytes = new Uint8Array(readFileSync(new URL(name, dir)));
  const oracle = JSON.parse(readFileSync(new URL(`${name}.tshark.json`, dir), 'utf8')) as { frames: OracleFrame[] };
  return { bytes, oracle: oracle.frames };
}

describe('capture files, compared with tshark', () => {
  it('has the fixture set the issue asks for', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'lo-normal.pcap',
        'any-sll.pcap',
        'any-sll2.pcap',
        'lo-nano.pcap',
        'lo-ipv6.pcap',
        'dumpcap.pcapng',
        'nano.pcapng',
        'big-endian.pcap',
        'null-macos.pcap',
        'loop-openbsd.pcap',
        'raw.pcap',
        'truncated.pcap',
      ]),
    );
    // and real captures of each badge: SYN and data retransmissions, zero window, keep-alive
    expect(files).toEqual(expect.arrayContaining(['backlog-full.pcap', 'zero-window.pcap', 'keep-alive.pcap']));
  });

  for (const name of files) {
    it(`${name}: every TCP frame matches tshark`, () => {
      const { bytes, oracle } = load(name);
      const { packets } = readTcpPackets(bytes);
      expect(packets.length).toBe(oracle.length);
      const streams = groupStreams(packets);
      const byFrame = new Map<number, { stream: number; rel: ReturnType<typeof analyzeStream>['segments'][number] }>();
      for (const s of streams) for (const seg of analyzeStream(s).segments) byFrame.set(seg.frame, { stream: s.index, rel: seg });
      packets.forEach((p, i) => {
        const o = oracle[i]!;
        const [sec, frac = ''] = o.time.split('.');
        const mine = byFrame.get(p.frame)!;
        expect({
          frame: p.frame,
          sec: p.tsSec,
          // tshark prints as many digits as the file's resolution.
          frac: String(p.tsNs).padStart(9, '0').slice(0, frac.length),
          src: p.src,
          dst: p.dst,
          srcPort: p.srcPort,
          dstPort: p.dstPort,
          seq: p.seq,
          flags: p.flags,
          len: p.len,
          win: p.win,
          relSeq: mine.rel.relSeq,
          stream: mine.stream,
          retransmission: mine.rel.badges.includes('retransmission'),
          dupAck: mine.rel.badges.includes('dup-ack'),
          zeroWindow: mine.rel.badges.includes('zero-window'),
          // Wireshark's keep-alive is our keep-alive, or our window probe when the peer's window is 0
          keepAlive: mine.rel.badges.includes('keep-alive') || mine.rel.badges.includes('window-probe'),
          keepAliveAck: mine.rel.badges.includes('keep-alive-ack'),
          windowUpdate: mine.rel.badges.includes('window-update'),
        }).toEqual({
          frame: o.frame,
          sec: Number(sec),
          frac,
          src: o.src,
          dst: o.dst,
          srcPort: o.srcPort,
          dstPort: o.dstPort,
          seq: o.seq,
          flags: o.flags,
          len: o.len,
          win: o.win,
          relSeq: o.relSeq,
          stream: o.stream,
          retransmission: o.retransmission,
          dupAck: o.dupAck,
          zeroWindow: o.zeroWindow,
          keepAlive: o.keepAlive,
          keepAliveAck: o.keepAliveAck,
          windowUpdate: o.windowUpdate,
        });
        // The ack only means something with the ACK flag; tshark prints the raw field regardless.
        if (p.flags & 0x10) {
          expect([p.ack, mine.rel.relAck], `frame ${p.frame} ack`).toEqual([o.ack, o.relAck]);
          if (mine.rel.winScaled !== null) expect(mine.rel.winScaled, `frame ${p.frame} scaled window`).toBe(o.winScaled);
        }
        const opts = tcpOptions(p);
        expect([opts.mss ?? null, opts.wscale ?? null], `frame ${p.frame} options`).toEqual([o.mss, o.wscale]);
      });
    });
  }

  it('reads the same packets when the file arrives in 1..97-byte pieces, as a pipe delivers it', () => {
    for (const name of ['lo-normal.pcap', 'dumpcap.pcapng', 'nano.pcapng', 'big-endian.pcap']) {
      const { bytes } = load(name);
      const whole = readCapture(bytes).frames.map((f) => [f.frame, f.tsSec, f.tsNs, f.origLen, Buffer.from(f.data).toString('hex')]);
      const reader = new CaptureReader();
      const pieces: unknown[] = [];
      let size = 1;
      for (let i = 0; i < bytes.length; i += size, size = (size * 7) % 97 || 1) {
        reader.push(bytes.slice(i, i + size), (f) => pieces.push([f.frame, f.tsSec, f.tsNs, f.origLen, Buffer.from(f.data).toString('hex')]));
      }
      expect(reader.end()).toBeNull();
      expect(pieces).toEqual(whole);
    }
  });

  it('works when the caller reuses one buffer for every read (as readSync into a fixed chunk does)', () => {
    const { bytes } = load('three-connections.pcap');
    const expected = readCapture(bytes).frames.map((f) => Buffer.from(f.data).toString('hex'));
    const reader = new CaptureReader();
    const got: string[] = [];
    const chunk = new Uint8Array(100);
    for (let i = 0; i < bytes.length; i += chunk.length) {
      const part = bytes.subarray(i, i + chunk.length);
      chunk.set(part);
      reader.push(chunk.subarray(0, part.length), (f) => got.push(Buffer.from(f.data).toString('hex')));
      chunk.fill(0xee);
    }
    expect(reader.end()).toBeNull();
    expect(got).toEqual(expected);
  });

  it('a truncated file keeps every whole packet and says where it broke', () => {
    const { bytes, oracle } = load('truncated.pcap');
    const { frames, problem } = readCapture(bytes);
    expect(frames.length).toBe(oracle.length);
    expect(problem).not.toBeNull();
    expect(problem!.framesRead).toBe(oracle.length);
    expect(problem!.message).toMatch(/truncated/);
    expect(problem).toMatchObject({ code: 'CAPTURE_FILE_TRUNCATED_RECORD', params: { bytes: expect.any(Number) } });
    expect(problem!.offset).toBeLessThan(bytes.length);
    expect(problem!.offset).toBeGreaterThan(24);
  });

  it('names what is wrong with files that are not captures', () => {
    expect(readCapture(new Uint8Array(0)).problem).toMatchObject({ code: 'CAPTURE_FILE_EMPTY', message: expect.stringMatching(/empty/) });
    expect(readCapture(new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n')).problem).toMatchObject({
      code: 'CAPTURE_FILE_NOT_CAPTURE',
      params: { magic: '0x47455420' },
    });
    expect(readCapture(new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n')).problem?.message).toMatch(/not a capture file: it starts with 0x/);
    // A record header claiming 3 GB: corrupt, reported at that record's offset.
    const { bytes } = load('lo-normal.pcap');
    const bad = bytes.slice();
    new DataView(bad.buffer).setUint32(24 + 8, 0xc0000000, true);
    const r = readCapture(bad);
    expect(r.frames).toHaveLength(0);
    expect(r.problem).toMatchObject({ offset: 24, framesRead: 0 });
    expect(r.problem!.message).toMatch(/packet record 1 claims 3221225472 captured bytes/);
    expect(r.problem!.code).toBe('CAPTURE_FILE_CORRUPT');
    // A pcapng block whose trailing length disagrees with its leading one.
    const ng = load('dumpcap.pcapng').bytes.slice();
    const dv = new DataView(ng.buffer);
    const shbLen = dv.getUint32(4, true);
    dv.setUint32(shbLen - 4, shbLen + 4, true);
    expect(readCapture(ng).problem?.message).toMatch(/does not end with its own length/);
  });

  it('decodes the SYN options: MSS, SACK permitted, timestamps, window scale', () => {
    const { frames } = readCapture(load('lo-normal.pcap').bytes);
    const syn = decodeTcp(frames[0]!)!;
    const o = tcpOptions(syn);
    expect(o).toMatchObject({ mss: 65495, sackPermitted: true, wscale: expect.any(Number) });
    expect(o.tsval).toBeGreaterThan(0);
    expect(o.tsecr).toBe(0);
    expect(o.kinds).toEqual(['MSS', 'SACK_PERM', 'TS', 'NOP', 'WS']);
  });
});
