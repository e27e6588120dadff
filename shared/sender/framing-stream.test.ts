import { describe, expect, it } from 'vitest';
import { defaultMaxFrame, encodeFrame, FrameDecoder, type Framing, type StreamPiece } from './framing.ts';

const headerJson: Framing = { kind: 'header-json', sizeKey: 'filesize' };
const te = new TextEncoder();

/** The messages a run of pieces describes: header, size, body (joined), whether each went to disk. */
function messages(pieces: StreamPiece[]) {
  const out: { header?: Record<string, unknown>; size: number; body: number[]; toDisk: boolean; pieces: number }[] = [];
  let open = false;
  for (const p of pieces) {
    if (p.kind === 'start') {
      expect(open).toBe(false);
      open = true;
      out.push({ ...(p.header ? { header: p.header } : {}), size: p.size, body: [], toDisk: p.toDisk, pieces: 0 });
    } else if (p.kind === 'body') {
      expect(open).toBe(true);
      const m = out.at(-1)!;
      m.body.push(...p.bytes);
      m.pieces++;
    } else {
      expect(open).toBe(true);
      open = false;
    }
  }
  return out;
}

const toDiskAll = { stream: { toDisk: () => true, maxBody: 64 * 1024 ** 3 } };

describe('framing, streaming mode', () => {
  it('header split across chunks: start only once the whole header is in, then the body, then end', () => {
    const frame = encodeFrame(headerJson, te.encode('hello world'), { operate: 'upload', filename: 'a.bin' });
    const d = new FrameDecoder(headerJson, undefined, null, toDiskAll);
    const pieces: StreamPiece[] = [];
    // one byte at a time: the 4-byte length, the header and the body each cut everywhere
    for (const b of frame) pieces.push(...d.pushStream(Uint8Array.of(b)));
    const ms = messages(pieces);
    expect(ms).toHaveLength(1);
    expect(ms[0]).toMatchObject({ header: { operate: 'upload', filename: 'a.bin', filesize: 11 }, size: 11, toDisk: true, pieces: 11 });
    expect(new TextDecoder().decode(Uint8Array.from(ms[0]!.body))).toBe('hello world');
    expect(d.end()).toBeNull();
  });

  it('header and body in one chunk, followed by the next message: both, in order', () => {
    const a = encodeFrame(headerJson, te.encode('first'), { filename: 'a' });
    const b = encodeFrame(headerJson, te.encode('second!'), { filename: 'b' });
    const d = new FrameDecoder(headerJson, undefined, null, toDiskAll);
    const ms = messages(d.pushStream(Uint8Array.from([...a, ...b])));
    expect(ms.map((m) => [m.header?.filename, m.size, new TextDecoder().decode(Uint8Array.from(m.body))])).toEqual([
      ['a', 5, 'first'],
      ['b', 7, 'second!'],
    ]);
  });

  it('a 0-byte body is a start and an end with nothing between', () => {
    const d = new FrameDecoder(headerJson, undefined, null, toDiskAll);
    const pieces = d.pushStream(encodeFrame(headerJson, new Uint8Array(0), { filename: 'empty.bin' }));
    expect(pieces).toEqual([{ kind: 'start', size: 0, header: { filename: 'empty.bin', filesize: 0 }, toDisk: true }, { kind: 'end' }]);
  });

  it('a body over the 16 MiB in-memory cap is accepted when it goes to disk, and never held: pieces are the chunks as pushed', () => {
    const size = defaultMaxFrame * 4; // 64 MiB, announced; fed in 1 MiB chunks
    // the header a sender puts before a 64 MiB file
    const json = te.encode(JSON.stringify({ filename: 'big', filesize: size }));
    const prefix = new Uint8Array(4);
    new DataView(prefix.buffer).setInt32(0, json.length, true);
    const d = new FrameDecoder(headerJson, undefined, null, toDiskAll);
    const first = d.pushStream(Uint8Array.from([...prefix, ...json]));
    expect(first).toEqual([{ kind: 'start', size, header: { filename: 'big', filesize: size }, toDisk: true }]);
    const chunk = new Uint8Array(1024 * 1024);
    let body = 0;
    let ended = false;
    for (let i = 0; i < 64; i++) {
      for (const p of d.pushStream(chunk)) {
        if (p.kind === 'body') {
          body += p.bytes.length;
          expect(p.bytes.buffer).toBe(chunk.buffer); // a view of what was pushed, not a copy
        }
        if (p.kind === 'end') ended = true;
      }
      expect(d.buffered).toBe(0);
    }
    expect(body).toBe(size);
    expect(ended).toBe(true);
  });

  it('the same large body is refused when it would go to memory (the cap holds), and over maxBody even on disk', () => {
    const json = te.encode(JSON.stringify({ filesize: defaultMaxFrame + 1 }));
    const prefix = new Uint8Array(4);
    new DataView(prefix.buffer).setInt32(0, json.length, true);
    const frame = Uint8Array.from([...prefix, ...json]);
    const memory = new FrameDecoder(headerJson, undefined, null, { stream: { toDisk: () => false, maxBody: 2 ** 40 } });
    expect(memory.pushStream(frame)).toEqual([]);
    expect(memory.problem).toMatchObject({ code: 'FRAME_TOO_LARGE', params: { variant: 'header' } });
    const small = new FrameDecoder(headerJson, undefined, null, { stream: { toDisk: () => true, maxBody: 1000 } });
    small.pushStream(frame);
    expect(small.problem).toMatchObject({ code: 'FRAME_TOO_LARGE', params: { max: 1000 } });
  });

  it('toDisk decides per message: a small one not bound for disk comes out whole', () => {
    const d = new FrameDecoder(headerJson, undefined, null, { stream: { toDisk: (h) => h?.operate === 'upload', maxBody: 2 ** 40 } });
    const a = encodeFrame(headerJson, te.encode('ls'), { operate: 'download' });
    const b = encodeFrame(headerJson, te.encode('data'), { operate: 'upload' });
    const ms = messages(d.pushStream(Uint8Array.from([...a, ...b])));
    expect(ms.map((m) => [m.header?.operate, m.toDisk, m.pieces])).toEqual([
      ['download', false, 1],
      ['upload', true, 1],
    ]);
  });

  it('a peer that closes mid-body is reported truncated with what arrived', () => {
    const d = new FrameDecoder(headerJson, undefined, null, toDiskAll);
    const frame = encodeFrame(headerJson, new Uint8Array(100), { filename: 'x' });
    d.pushStream(frame.subarray(0, frame.length - 40));
    expect(d.end()).toMatchObject({ code: 'FRAME_TRUNCATED', params: { got: 60, want: 'a 100-byte body' } });
  });

  it('length framing streams too; delimiter messages come out whole', () => {
    const len: Framing = { kind: 'length', bytes: 4, endian: 'le', includesPrefix: false };
    const d = new FrameDecoder(len, undefined, null, toDiskAll);
    const frame = encodeFrame(len, te.encode('abcdef'));
    const ms = messages([...d.pushStream(frame.subarray(0, 6)), ...d.pushStream(frame.subarray(6))]);
    expect(ms).toEqual([{ size: 6, body: [...te.encode('abcdef')], toDisk: true, pieces: 2 }]);
    const line = new FrameDecoder({ kind: 'delimiter', delimiter: '\n' }, undefined, null, toDiskAll);
    expect(messages(line.pushStream(te.encode('one\ntwo\n'))).map((m) => m.size)).toEqual([3, 3]);
  });

  it('bad headers stop the stream: not JSON, not an object, a negative or missing size (unless a missing size means empty)', () => {
    const frame = (json: string) => {
      const j = te.encode(json);
      const p = new Uint8Array(4);
      new DataView(p.buffer).setInt32(0, j.length, true);
      return Uint8Array.from([...p, ...j]);
    };
    const problem = (json: string, opts = {}) => {
      const d = new FrameDecoder(headerJson, undefined, null, { ...toDiskAll, ...opts });
      d.pushStream(frame(json));
      return d.problem && { code: d.problem.code, variant: d.problem.params.variant };
    };
    expect(problem('{"filesize": 3')).toEqual({ code: 'FRAME_BAD_HEADER', variant: 'json' });
    expect(problem('[1, 2]')).toEqual({ code: 'FRAME_BAD_HEADER', variant: 'json' });
    expect(problem('{"filesize": -5}')).toEqual({ code: 'FRAME_BAD_HEADER', variant: 'size-key' });
    expect(problem('{"filename": "a"}')).toEqual({ code: 'FRAME_BAD_HEADER', variant: 'size-key' });
    expect(problem('{"filename": "a", "operate": "download"}', { missingSizeIsEmpty: true })).toBeNull();
  });
});
