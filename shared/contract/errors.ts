import { z } from 'zod';

/**
 * Every failure that crosses the contract is one of these: the UI shows `message` as it is
 * (or a translation chosen by `code`) and highlights `field` when the input was at fault.
 */
export const wirelabErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  field: z.string().optional(),
  /** The values the renderer needs to word `code` in the user's language (the field, the limit…). */
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});
export type WirelabErrorData = z.infer<typeof wirelabErrorSchema>;

/** Codes produced by the contract machinery itself; services add their own (ECONNREFUSED, …). */
export const ErrorCode = {
  invalidInput: 'INVALID_INPUT',
  unknownCommand: 'UNKNOWN_COMMAND',
  unknownStream: 'UNKNOWN_STREAM',
  internal: 'INTERNAL',
  disconnected: 'DISCONNECTED',
  /** Electron IPC from a frame that is not one of the app's pages. */
  forbidden: 'FORBIDDEN',
  /** A request over one of `shared/contract/limits.ts`'s limits; params {limit, max}. */
  limitExceeded: 'LIMIT_EXCEEDED',
} as const;

/** A thrown error that carries a contract error; services throw it, the dispatcher passes it on. */
export class WirelabError extends Error {
  readonly code: string;
  readonly field?: string;
  readonly params?: Record<string, string | number | boolean>;
  constructor(code: string, message: string, field?: string, params?: Record<string, string | number | boolean>) {
    super(message);
    this.name = 'WirelabError';
    this.code = code;
    if (field !== undefined) this.field = field;
    if (params !== undefined) this.params = params;
  }
  toData(): WirelabErrorData {
    const data: WirelabErrorData = { code: this.code, message: this.message };
    if (this.field !== undefined) data.field = this.field;
    if (this.params !== undefined) data.params = this.params;
    return data;
  }
}

/** The result envelope both transports carry: never a thrown error across the boundary. */
export type InvokeResult<T> = { ok: true; value: T } | { ok: false; error: WirelabErrorData };
