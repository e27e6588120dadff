import iconv from 'iconv-lite';
import { ErrorCode, WirelabError } from '../../../shared/contract/errors.ts';

/** UTF-8 and GBK (what Chinese Windows tools such as NetAssist send by default). */
export const encodings = ['utf8', 'gbk'] as const;
export type Encoding = (typeof encodings)[number];

export function checkEncoding(value: string, field = 'encoding'): Encoding {
  if ((encodings as readonly string[]).includes(value)) return value as Encoding;
  throw new WirelabError(ErrorCode.invalidInput, `${field}: "${value}" is not supported; use utf8 or gbk`, field);
}

export function encodeText(text: string, encoding: Encoding): Uint8Array {
  return encoding === 'utf8' ? Buffer.from(text, 'utf8') : iconv.encode(text, 'gbk');
}

export function decodeText(bytes: Uint8Array, encoding: Encoding): string {
  // a view, not a copy: this runs for every datagram the log shows
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  return encoding === 'utf8' ? view.toString('utf8') : iconv.decode(view, 'gbk');
}
