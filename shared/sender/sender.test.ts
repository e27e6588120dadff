import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameBudget, FrameDecoder, framingByName, type Framing } from './framing.ts';
import { buildPayload, expandMacros, fromBase64, parseEscaped, parseHex, toBase64, toHex, utf8Encode, visibleText } from './payload.ts';

const te = new TextEncoder();
const td = new TextDecoder();
const texts = (ms: { bytes: Uint8Array }[]) => ms.map((m) => td.decode(m.bytes));

describe('framing', () => {
  const cases: [string, Framing][] = [
    ['line', framingByName('line')],
    ['len32le', framingByName('len32le')],
    ['len32be', framingByName('len32be')],
    ['len16be', framingByName('len16be')],
    ['len8 incl', { kind: 'length', bytes: 8, endian: 'be', includesPrefix: true }],
    ['len1', { kind: 'length', bytes: 1, endian: 'le', includesPrefix: false }],
    ['header-json', framingByName('header-json')],
    ['crlf', { kind: 'delimiter', delimiter: '\r\n' }],
  ];
  it.each(cases)('%s: three quick sends stuck together in one chunk come apart again', (_n, framing) => {
    const stream = Uint8Array.from([
      ...encodeFrame(framing, te.encode('你好')),
      ...encodeFrame(framing, te.encode('b')),
      ...encodeFrame(framing, te.encode('ccc')),
    ]);
    expect(texts(new FrameDecoder(framing).push(stream))).toEqual(['你好', 'b', 'ccc']);
  });
  it.each(cases)('%s: one message split into 1-byte chunks still decodes once', (_n, framing) => {
    const frame = encodeFrame(framing, te.encode('hello world'));
    const d = new FrameDecoder(framing);
    const got = [];
    for (const b of frame) got.push(...d.push(Uint8Array.of(b)));
    expect(texts(got)).toEqual(['hello world']);
    expect(d.end()).toBeNull();
  });
  it("writes the seeds' struct.pack('i', n): 4 bytes little-endian", () => {
    expect(toHex(encodeFrame(framingByName('len32le'), te.encode('abc')))).toBe('03000000616263');
    const hj = encodeFrame(framingByName('header-json'), te.encode('xy'));
    expect(toHex(hj.slice(0, 4))).toBe('0f000000');
    expect(td.decode(hj.slice(4, 19))).toBe('{"data_size":2}');
  });
  it('refuses an absurd length instead of allocating it, and stops', () => {
    const d = new FrameDecoder(framingByName('len32be'), 1024);
    expect(d.push(Uint8Array.from([0x7f, 0xff, 0xff, 0xff, 1, 2]))).toEqual([]);
    expect(d.problem).toMatchObject({ code: 'FRAME_TOO_LARGE', message: expect.stringContaining('2147483647') });
    expect(d.push(te.encode('more'))).toEqual([]);
    const neg = new FrameDecoder(framingByName('len32le'));
    neg.push(Uint8Array.from([0xff, 0xff, 0xff, 0xff]));
    expect(neg.problem?.code).toBe('FRAME_BAD_LENGTH');
  });
  it('shares one budget across decoders: a frame over it is refused, and memory returns when frames complete or peers go', () => {
    const budget = new FrameBudget(100);
    const a = new FrameDecoder(framingByName('len32le'), 1000, budget);
    const b = new FrameDecoder(framingByName('len32le'), 1000, budget);
    a.push(Uint8Array.from([80, 0, 0, 0, 1, 2]));
    expect(budget.used).toBe(80);
    b.push(Uint8Array.from([30, 0, 0, 0]));
    expect(b.problem).toMatchObject({ code: 'FRAME_BUDGET', message: expect.stringContaining('100-byte budget') });
    expect(budget.used).toBe(80);
    expect(a.push(new Uint8Array(78))).toHaveLength(1);
    expect(budget.used).toBe(0);
    const c = new FrameDecoder(framingByName('line'), 1000, budget);
    c.push(new Uint8Array(60).fill(0x61));
    expect(budget.used).toBeGreaterThanOrEqual(60);
    c.dispose();
    expect(budget.used).toBe(0);
  });
  it('takes a 16 MiB frame in 64 KiB chunks without re-copying what it has (once, in place)', () => {
    const size = 16 * 1024 * 1024 - 8;
    const frame = new Uint8Array(size + 4);
    new DataView(frame.buffer).setInt32(0, size, true);
    frame[frame.length - 1] = 7;
    const d = new FrameDecoder(framingByName('len32le'));
    const t0 = performance.now();
    const got = [];
    for (let o = 0; o < frame.length; o += 65536) got.push(...d.push(frame.subarray(o, o + 65536)));
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(got).toHaveLength(1);
    expect(got[0]!.bytes.length).toBe(size);
    expect(got[0]!.bytes[size - 1]).toBe(7);
  });
  it('reports a peer that vanished mid-frame', () => {
    const d = new FrameDecoder(framingByName('len32le'));
    d.push(Uint8Array.from([10, 0, 0, 0, 1, 2, 3]));
    expect(d.end()).toMatchObject({ code: 'FRAME_TRUNCATED', message: 'the peer closed after 7 bytes of a whole frame' });
  });
  it('reports a JSON header that is not JSON or lacks the size', () => {
    const bad = new FrameDecoder(framingByName('header-json'));
    bad.push(Uint8Array.from([3, 0, 0, 0, ...te.encode('{x}')]));
    expect(bad.problem?.code).toBe('FRAME_BAD_HEADER');
    const nosize = new FrameDecoder(framingByName('header-json'));
    nosize.push(Uint8Array.from([2, 0, 0, 0, ...te.encode('{}')]));
    expect(nosize.problem?.message).toContain('"data_size"');
  });
  it('names an unknown framing', () => {
    expect(() => framingByName('len24')).toThrow(/frame: "len24" is not a framing; use one of raw, line/);
  });
});

describe('payload', () => {
  it('reads hex with any separators', () => {
    for (const s of ['48 65 6c 6c 6f', '48:65:6C:6C:6F', '0x48,0x65,0x6c,0x6c,0x6f', '48656c6c6f', '48-65-6c\n6c-6f'])
      expect(td.decode(parseHex(s)), s).toBe('Hello');
    expect(toHex(parseHex('a b c'))).toBe('0a0b0c');
  });
  it('explains bad hex', () => {
    expect(() => parseHex('48 6g')).toThrow(/"g" at position 5 is not a hex digit/);
    expect(() => parseHex('486')).toThrow(/odd number/);
  });
  it('reads escapes, with \\xHH as a raw byte', () => {
    expect(toHex(parseEscaped('A\\r\\n\\t\\0\\\\\\xff', utf8Encode))).toBe('410d0a09005cff');
    expect(() => parseEscaped('bad\\q', utf8Encode)).toThrow(/"\\q" at position 4 is not an escape/);
    expect(() => parseEscaped('\\x4', utf8Encode)).toThrow(/needs two hex digits/);
  });
  it('expands macros per send', () => {
    const ctx = { counter: 7, now: new Date('2026-01-02T03:04:05.678Z'), random: () => 0.5 };
    expect(expandMacros('#{{counter}} {{ time }} {{unix}} {{random}} {{other}}', ctx)).toBe('#7 03:04:05.678 1767323045 2147483648 {{other}}');
  });
  it('shows control characters as the escapes the composer accepts, so they round-trip', () => {
    const shown = visibleText('a\r\nb\0\x06\\');
    expect(shown).toBe('a\\r\\nb\\0\\x06\\\\');
    expect(new TextDecoder().decode(parseEscaped(shown, utf8Encode))).toBe('a\r\nb\0\x06\\');
  });
});

describe('file payloads', () => {
  it('carry any bytes through base64 unchanged, a large file included', () => {
    const bytes = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7) % 256);
    expect(buildPayload({ mode: 'file', text: toBase64(bytes), lineEnding: 'none' }, utf8Encode)).toEqual(bytes);
    expect(() => fromBase64('!!!')).toThrow(/not valid base64/);
  });
});
