import { parseEscaped, parseHex, spacedHex, toHex, visibleText, type TextEncoderFn } from './payload.ts';

/**
 * Switching the composer between Text, Hex and Escapes keeps the payload: the box is read as
 * bytes in the old mode and written back in the new one, in the chosen encoding. So "你好" in
 * UTF-8 becomes "e4 bd a0 e5 a5 bd" and back, instead of the hex parser rejecting "你".
 */
export type TypedMode = 'text' | 'hex' | 'escaped';

/** Decodes bytes that are whole, valid text in an encoding, or says null (never U+FFFD). */
export type StrictDecoderFn = (bytes: Uint8Array) => string | null;

/** A strict decoder from the platform's TextDecoder (WHATWG labels: "utf-8", "gbk"); BOMs are kept as characters. */
export function strictDecoder(label: string): StrictDecoderFn {
  const decoder = new TextDecoder(label, { fatal: true, ignoreBOM: true });
  return (bytes) => {
    try {
      return decoder.decode(bytes);
    } catch {
      return null;
    }
  };
}

/** The bytes the box holds in `mode` (errors as buildPayload raises them, naming the field). */
export function typedBytes(mode: TypedMode, text: string, encode: TextEncoderFn, field = 'payload'): Uint8Array {
  if (mode === 'hex') return parseHex(text, field);
  if (mode === 'escaped') return parseEscaped(text, encode, field);
  return encode(text);
}

// Tab and newline read as text. Other control characters are invisible in a text box, and a
// textarea turns \r\n into \n (HTML's value normalises line breaks), so \r cannot live there.
// eslint-disable-next-line no-control-regex -- matching control characters is the point here
const invisible = /[\u0000-\u0008\u000b-\u001f\u007f]/;

/**
 * `bytes` written for the box in `mode`, or null when Text cannot hold them (not valid in the
 * encoding, or control characters a text box would hide) — Escapes can always hold them.
 */
export function writeTyped(mode: TypedMode, bytes: Uint8Array, decode: StrictDecoderFn): string | null {
  if (mode === 'hex') return spacedHex(toHex(bytes));
  if (mode === 'text') {
    const text = decode(bytes);
    return text === null || invisible.test(text) ? null : text;
  }
  return escapedText(bytes, decode);
}

/**
 * Bytes as the Escapes mode writes them: characters where the bytes decode (a multi-byte
 * character is at most 4 bytes in UTF-8 and in GB18030/GBK), `\xHH` for a byte that does not,
 * control characters as `\r \n \t \0 \xHH`, and `\\` for a backslash, so parseEscaped reads
 * back exactly these bytes.
 */
export function escapedText(bytes: Uint8Array, decode: StrictDecoderFn): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      out += visibleText(String.fromCharCode(b));
      i++;
      continue;
    }
    let took = 0;
    for (let len = 2; len <= 4 && i + len <= bytes.length && !took; len++) {
      const ch = decode(bytes.subarray(i, i + len));
      // One character (a surrogate pair counts as one), so a lead byte never swallows ASCII after it.
      if (ch !== null && [...ch].length === 1 && ch.codePointAt(0)! >= 0x80) {
        out += ch;
        took = len;
      }
    }
    if (took) i += took;
    else {
      out += `\\x${b.toString(16).padStart(2, '0')}`;
      i++;
    }
  }
  return out;
}

/**
 * The box's text cut into pieces of at most `maxChars` code points, never inside a surrogate
 * pair or (in Escapes) inside an escape such as `\x0d`, so each piece encodes on its own and
 * the pieces' bytes joined are the whole text's. Used where the encoder is the backend's
 * preview, which returns at most 512 bytes at a time (4 × 128: no GBK/GB18030 character is
 * longer than 4 bytes).
 */
export function typedChunks(mode: TypedMode, text: string, maxChars = 128): string[] {
  const units: string[] = [];
  const points = [...text];
  for (let i = 0; i < points.length; i++) {
    if (mode === 'escaped' && points[i] === '\\') {
      const len = points[i + 1] === 'x' ? 4 : 2;
      units.push(points.slice(i, i + len).join(''));
      i += len - 1;
    } else units.push(points[i]!);
  }
  const chunks: string[] = [];
  for (let i = 0; i < units.length; i += maxChars) chunks.push(units.slice(i, i + maxChars).join(''));
  return chunks;
}
