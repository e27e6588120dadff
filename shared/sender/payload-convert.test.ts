import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { escapedText, strictDecoder, typedBytes, typedChunks, writeTyped } from './payload-convert.ts';
import { parseEscaped, utf8Encode } from './payload.ts';

const utf8 = strictDecoder('utf-8');
const gbk = strictDecoder('gbk');
const gbkEncode = (t: string) => new Uint8Array(iconv.encode(t, 'gbk'));
const convert = (from: 'text' | 'hex' | 'escaped', to: 'text' | 'hex' | 'escaped', text: string, enc: 'utf8' | 'gbk' = 'utf8') =>
  writeTyped(to, typedBytes(from, text, enc === 'utf8' ? utf8Encode : gbkEncode), enc === 'utf8' ? utf8 : gbk);

describe('converting the composer between Text, Hex and Escapes', () => {
  it('UTF-8: 你好 → e4 bd a0 e5 a5 bd → 你好', () => {
    expect(convert('text', 'hex', '你好')).toBe('e4 bd a0 e5 a5 bd');
    expect(convert('hex', 'text', 'e4 bd a0 e5 a5 bd')).toBe('你好');
    expect(convert('hex', 'escaped', 'e4 bd a0 e5 a5 bd 0d 0a')).toBe('你好\\r\\n');
    expect(convert('escaped', 'text', '你好\\n')).toBe('你好\n');
    // A textarea would turn \r\n into \n: such bytes stay in Escapes.
    expect(convert('escaped', 'text', '你好\\r\\n')).toBeNull();
  });

  it('GBK: 你好 is c4 e3 ba c3, the bytes Chinese Windows tools send', () => {
    expect(convert('text', 'hex', '你好', 'gbk')).toBe('c4 e3 ba c3');
    expect(convert('hex', 'text', 'c4 e3 ba c3', 'gbk')).toBe('你好');
    expect(convert('hex', 'escaped', 'c4 e3 ba c3 00', 'gbk')).toBe('你好\\0');
    // The same bytes are not UTF-8: Text refuses, Escapes shows each byte.
    expect(convert('hex', 'text', 'c4 e3 ba c3', 'utf8')).toBeNull();
    expect(convert('hex', 'escaped', 'c4 e3 ba c3', 'utf8')).toBe('\\xc4\\xe3\\xba\\xc3');
  });

  it('Text refuses control bytes a text box would hide; Escapes keeps them', () => {
    expect(convert('hex', 'text', '00 01 02 ff')).toBeNull();
    expect(convert('hex', 'escaped', '00 01 02 ff')).toBe('\\0\\x01\\x02\\xff');
    expect(convert('hex', 'text', '61 09 62 0a')).toBe('a\tb\n');
  });

  it('a broken character in the middle is escaped byte by byte, and the ASCII after it survives', () => {
    // e4 bd is the start of 你 without its last byte.
    expect(convert('hex', 'escaped', 'e4 bd 41 e5 a5 bd')).toBe('\\xe4\\xbd' + 'A' + '好');
    expect(escapedText(Uint8Array.of(0xf0, 0x9f, 0x98, 0x80), utf8)).toBe('😀');
    expect(escapedText(Uint8Array.of(0xef, 0xbb, 0xbf, 0x41), utf8)).toBe('\ufeffA');
  });

  it('Escapes round-trips every byte value (parseEscaped reads back what escapedText wrote)', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    for (const [decode, encode] of [
      [utf8, utf8Encode],
      [gbk, gbkEncode],
    ] as const) {
      expect(parseEscaped(escapedText(all, decode), encode)).toEqual(all);
    }
    const chinese = gbkEncode('网络调试助手 ok');
    expect(parseEscaped(escapedText(chinese, gbk), gbkEncode)).toEqual(chinese);
  });

  it('bad input in the old mode is named, as sending it would be', () => {
    expect(() => typedBytes('hex', '你好', utf8Encode)).toThrow(/payload: "你" at position 1 is not a hex digit/);
    expect(() => typedBytes('escaped', 'a\\q', utf8Encode)).toThrow(/not an escape/);
  });
});

describe('typedChunks', () => {
  it('cuts long text where each piece encodes alone, so the joined bytes are the whole', () => {
    const text = '你好😀\\x0d\\n'.repeat(40);
    for (const mode of ['text', 'escaped'] as const) {
      const chunks = typedChunks(mode, text, 7);
      expect(chunks.join('')).toBe(text);
      const whole = typedBytes(mode, text, gbkEncode);
      const joined = Buffer.concat(chunks.map((c) => typedBytes(mode, c, gbkEncode)));
      expect(new Uint8Array(joined)).toEqual(whole);
    }
    expect(typedChunks('text', '')).toEqual([]);
  });
});
