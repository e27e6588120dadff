import { ErrorCode, type WirelabErrorData } from '../../../shared/contract/errors.ts';
import { clientMessageSchema, wsClose, type ClientMessage } from '../../../shared/contract/wire.ts';

/**
 * What to do with one WebSocket message: carry it out, answer its id with a typed error, or
 * close the socket (the client broke the protocol and no id can be read to answer).
 */
export type EnvelopeVerdict =
  { kind: 'message'; message: ClientMessage } | { kind: 'reply'; id: number; error: WirelabErrorData } | { kind: 'close'; code: number; reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

function readableId(value: unknown): number | null {
  if (typeof value !== 'object' || value === null || !('id' in value)) return null;
  const id = (value as { id: unknown }).id;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : null;
}

/** A close reason is at most 123 bytes (RFC 6455 §5.5: control frames carry ≤125, 2 are the code). */
export function closeReason(text: string): string {
  let reason = text;
  while (Buffer.byteLength(reason) > 123) reason = reason.slice(0, -2) + '…';
  return reason;
}

/**
 * Reads one message. Text frames arrive as UTF-8 already checked by `ws` (it closes with 1007
 * itself); a binary frame is read as the same JSON text, and closes with 1007 when it is not
 * UTF-8.
 */
export function readEnvelope(data: Buffer, isBinary: boolean): EnvelopeVerdict {
  let text: string;
  if (isBinary) {
    try {
      text = utf8.decode(data);
    } catch {
      return { kind: 'close', code: wsClose.invalidPayload, reason: 'binary message is not UTF-8 text; send the JSON envelope as text' };
    }
  } else text = data.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return {
      kind: 'close',
      code: wsClose.policyViolation,
      reason: closeReason(`message is not JSON (${text.length} characters); send {"type":"invoke","id":n,…}`),
    };
  }
  const parsed = clientMessageSchema.safeParse(json);
  if (parsed.success) return { kind: 'message', message: parsed.data };
  const issue = parsed.error.issues[0];
  const path = issue?.path.length ? `envelope.${issue.path.join('.')}` : 'envelope';
  const rule = issue?.message ?? 'not a Wirelab message';
  const id = readableId(json);
  if (id === null) {
    return { kind: 'close', code: wsClose.policyViolation, reason: closeReason(`${path}: ${rule} (and no id to answer)`) };
  }
  return { kind: 'reply', id, error: { code: ErrorCode.invalidInput, message: `${path}: ${rule}`, field: path } };
}
