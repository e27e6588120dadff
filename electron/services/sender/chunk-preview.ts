import type { SenderEvent } from '../../../shared/contract/sender.ts';
import { decodeText, type Encoding } from './text-codec.ts';

/**
 * How much of one chunk travels to a page: enough to read, bounded so a 64 KiB read cannot clog
 * the stream. The sender log's events and a script run's transcript show the same 4 KiB.
 */
export const chunkPreviewBytes = 4096;

/** A chunk as a page shows it: its real length, and hex and text of its first `max` bytes. */
export function chunkPreview(
  bytes: Uint8Array,
  encoding: Encoding,
  max: number = chunkPreviewBytes,
): Pick<SenderEvent, 'length' | 'hex' | 'text' | 'truncated'> {
  const shown = bytes.length > max ? bytes.subarray(0, max) : bytes;
  return {
    length: bytes.length,
    // Buffer's hex is native; toHex's loop is for code that cannot use node:buffer
    hex: Buffer.from(shown.buffer, shown.byteOffset, shown.length).toString('hex'),
    text: shown.length ? decodeText(shown, encoding) : '',
    truncated: bytes.length > shown.length,
  };
}
