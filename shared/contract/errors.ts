import { z } from 'zod';

/**
 * Every failure that crosses the contract is one of these: the UI shows `message` as it is
 * (or a translation chosen by `code`) and highlights `field` when the input was at fault.
 */
export const wirelabErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  field: z.string().optional(),
});
export type WirelabErrorData = z.infer<typeof wirelabErrorSchema>;

/** Codes produced by the contract machinery itself; services add their own (ECONNREFUSED, …). */
export const ErrorCode = {
  invalidInput: 'INVALID_INPUT',
  unknownCommand: 'UNKNOWN_COMMAND',
  unknownStream: 'UNKNOWN_STREAM',
  internal: 'INTERNAL',
  disconnected: 'DISCONNECTED',
} as const;

/** A thrown error that carries a contract error; services throw it, the dispatcher passes it on. */
export class WirelabError extends Error {
  readonly code: string;
  readonly field?: string;
  constructor(code: string, message: string, field?: string) {
    super(message);
    this.name = 'WirelabError';
    this.code = code;
    if (field !== undefined) this.field = field;
  }
  toData(): WirelabErrorData {
    return this.field === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, field: this.field };
  }
}

/** The result envelope both transports carry: never a thrown error across the boundary. */
export type InvokeResult<T> = { ok: true; value: T } | { ok: false; error: WirelabErrorData };
