import { z } from 'zod';
import { wirelabErrorSchema } from './errors.ts';
import { base64Length, limits } from './limits.ts';

/**
 * Messages on the browser host's WebSocket. Electron IPC carries the same payloads over
 * ipcRenderer.invoke / webContents.send, so only this transport needs ids.
 */
export const clientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('invoke'), id: z.number().int().nonnegative(), command: z.string(), input: z.unknown() }),
  z.object({ type: z.literal('subscribe'), stream: z.string() }),
  z.object({ type: z.literal('unsubscribe'), stream: z.string() }),
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;

export type ServerMessage =
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: z.infer<typeof wirelabErrorSchema> }
  | { type: 'events'; stream: string; events: unknown[]; dropped: number };

/** Close codes the host uses (RFC 6455 §7.4.1). */
export const wsClose = {
  /** A text (or binary) message that is not UTF-8. */
  invalidPayload: 1007,
  /** A message that is not a Wirelab envelope and carries no id to answer. */
  policyViolation: 1008,
  /** A message larger than `maxWireMessageBytes`. */
  messageTooBig: 1009,
} as const;

/**
 * The largest WebSocket message the host takes, derived from the contract's own limits so that
 * whatever a schema accepts can also arrive. Worst case on the wire, per input:
 * - text inputs (`payloadChars`, `packetImportChars`, 16 Mi characters each): a JSON encoder may
 *   write any UTF-16 unit as a `\uXXXX` escape (RFC 8259 §7) and must for control characters and
 *   lone surrogates, so 6 bytes a character: 6 × 16 MiB = 96 MiB;
 * - `captureImportBytes` (96 MiB) travels as base64, whose alphabet needs no escaping:
 *   4/3 × 96 MiB = 128 MiB.
 * The largest is 128 MiB; 1 MiB of slack covers the envelope and the other, small fields (a
 * saved packet's name, framing, notes), so the bound is 129 MiB. A message over it is refused by
 * the WebSocket itself (close 1009, the reason names this limit) before it is buffered.
 */
export const envelopeSlackBytes = 1024 * 1024;
const worstJsonBytesPerChar = 6;
export const maxWireMessageBytes =
  Math.max(limits.payloadChars * worstJsonBytesPerChar, limits.packetImportChars * worstJsonBytesPerChar, base64Length(limits.captureImportBytes)) +
  envelopeSlackBytes;

/**
 * The UTF-8 size of an outgoing message when it is over `max`, else null. Cheap for the usual
 * small message: a UTF-16 unit is at most 3 bytes of UTF-8, so short strings need no counting.
 */
export function oversizeMessage(text: string, max: number = maxWireMessageBytes): number | null {
  if (text.length * 3 <= max) return null;
  if (text.length > max) return text.length;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes > max ? bytes : null;
}
