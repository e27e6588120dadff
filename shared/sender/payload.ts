import { WirelabError } from '../contract/errors.ts';

/**
 * Turning what the user typed into bytes. Pure: the text encoder is passed in, because GBK
 * needs iconv-lite (Node side) while UTF-8 is built into every runtime.
 */
export type TextEncoderFn = (text: string) => Uint8Array;
export const utf8Encode: TextEncoderFn = (t) => new TextEncoder().encode(t);

export const lineEndings = { none: '', lf: '\n', crlf: '\r\n' } as const;
export type LineEnding = keyof typeof lineEndings;

/** An input mistake with its code and params (shared/contract/codes.ts); the English names the field and the rule. */
function bad(code: string, field: string, message: string, params: Record<string, string | number> = {}): WirelabError {
  return new WirelabError(code, `${field}: ${message}`, field, { field, ...params });
}

/** Hex with any separators people paste: spaces, colons, dashes, commas, newlines, `0x` prefixes. */
export function parseHex(text: string, field = 'payload'): Uint8Array {
  const cleaned = text.replace(/0x/gi, ' ');
  const digits: string[] = [];
  for (let i = 0; i < cleaned.length; i++) {
    const c = cleaned[i]!;
    if (/[0-9a-fA-F]/.test(c)) digits.push(c);
    else if (!/[\s:,;\-_.]/.test(c)) throw bad('HEX_DIGIT', field, `"${c}" at position ${i + 1} is not a hex digit (0–9, a–f)`, { char: c, position: i + 1 });
  }
  // Separated single digits ("a b c") are bytes of their own; otherwise read pairs.
  const tokens = cleaned.split(/[\s:,;\-_.]+/).filter(Boolean);
  const bytes: number[] = [];
  if (tokens.length > 1 && tokens.every((t) => t.length <= 2)) {
    for (const t of tokens) bytes.push(parseInt(t, 16));
  } else {
    const all = digits.join('');
    if (all.length % 2 === 1)
      throw bad('HEX_ODD', field, `${all.length} hex digits is an odd number; every byte needs two (write 0a, not a)`, { count: all.length });
    for (let i = 0; i < all.length; i += 2) bytes.push(parseInt(all.slice(i, i + 2), 16));
  }
  return Uint8Array.from(bytes);
}

/** Text with `\r \n \t \0 \\ \xHH` escapes; `\xHH` inserts that raw byte, not a character. */
export function parseEscaped(text: string, encode: TextEncoderFn, field = 'payload'): Uint8Array {
  const parts: Uint8Array[] = [];
  let run = '';
  const flush = () => {
    if (run) parts.push(encode(run));
    run = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '\\') {
      run += c;
      continue;
    }
    const n = text[i + 1];
    if (n === undefined) throw bad('ESCAPE_TRAILING', field, `a lone "\\" at the end; write "\\\\" for a backslash`);
    const simple: Record<string, string> = { r: '\r', n: '\n', t: '\t', '0': '\0', '\\': '\\' };
    if (n in simple) {
      run += simple[n];
      i++;
    } else if (n === 'x') {
      const hh = text.slice(i + 2, i + 4);
      if (!/^[0-9a-fA-F]{2}$/.test(hh))
        throw bad('ESCAPE_HEX', field, `"\\x${hh}" at position ${i + 1} needs two hex digits, like \\x0d`, { text: `\\x${hh}`, position: i + 1 });
      flush();
      parts.push(Uint8Array.of(parseInt(hh, 16)));
      i += 3;
    } else {
      throw bad('ESCAPE_UNKNOWN', field, `"\\${n}" at position ${i + 1} is not an escape; use \\r \\n \\t \\0 \\\\ or \\xHH`, {
        text: `\\${n}`,
        position: i + 1,
      });
    }
  }
  flush();
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export interface MacroContext {
  counter: number;
  now: Date;
  random(): number;
}

/** `{{counter}} {{time}} {{unix}} {{random}}`, expanded per send (a repeat sees a new counter). */
export function expandMacros(text: string, ctx: MacroContext): string {
  return text.replace(/\{\{\s*(\w+)\s*\}\}/g, (m, name: string) => {
    switch (name.toLowerCase()) {
      case 'counter':
        return String(ctx.counter);
      case 'time':
        return ctx.now.toISOString().slice(11, 23);
      case 'unix':
        return String(Math.floor(ctx.now.getTime() / 1000));
      case 'random':
        return String(Math.floor(ctx.random() * 2 ** 32));
      default:
        return m;
    }
  });
}

/** Bytes as lowercase hex without separators (the CLI's JSON form). */
const hexOfByte = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * Lowercase hex of `bytes`. Built with join, not `s +=`: appending makes V8 keep a rope of one
 * node per byte (about 200 KB for a 4 KiB preview) until something flattens it, and a queue of
 * sender events holding such ropes took ten times the memory its text accounts for.
 */
export function toHex(bytes: Uint8Array): string {
  const parts = new Array<string>(bytes.length);
  for (let i = 0; i < bytes.length; i++) parts[i] = hexOfByte[bytes[i]!]!;
  return parts.join('');
}

/** Hex grouped in bytes for reading: "e4 bd a0". */
export function spacedHex(hex: string): string {
  return hex.replace(/(..)(?!$)/g, '$1 ');
}

/**
 * Text with control characters written as the escapes the composer accepts (\r \n \t \0 \xHH),
 * so a log shows that a line ended in \r\n — and a student can copy it back into "Escapes" mode.
 * Backslashes are doubled for the same reason.
 */
export function visibleText(text: string): string {
  const named: Record<string, string> = { '\r': '\\r', '\n': '\\n', '\t': '\\t', '\0': '\\0', '\\': '\\\\' };
  // eslint-disable-next-line no-control-regex -- matching control characters is the point here
  return text.replace(/[\u0000-\u001f\u007f\\]/g, (c) => named[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Everything the composer can produce, turned into the bytes of one message (before framing). */
export function buildPayload(
  spec: { mode: 'text' | 'hex' | 'escaped' | 'file'; text: string; lineEnding: LineEnding },
  encode: TextEncoderFn,
  field = 'payload',
): Uint8Array {
  const ending = lineEndings[spec.lineEnding];
  if (spec.mode === 'file') return fromBase64(spec.text, field);
  if (spec.mode === 'hex') {
    const body = parseHex(spec.text, field);
    if (!ending) return body;
    const tail = encode(ending);
    const out = new Uint8Array(body.length + tail.length);
    out.set(body);
    out.set(tail, body.length);
    return out;
  }
  if (spec.mode === 'escaped') return parseEscaped(spec.text + ending, encode, field);
  return encode(spec.text + ending);
}

/** Base64 (standard alphabet) to bytes; atob exists in browsers and in Node. */
export function fromBase64(text: string, field = 'payload'): Uint8Array {
  let bin: string;
  try {
    bin = atob(text);
  } catch {
    throw bad('BASE64_INVALID', field, 'the file data is not valid base64');
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Bytes to base64, in chunks so a multi-megabyte file does not overflow the call stack. */
export function toBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}
