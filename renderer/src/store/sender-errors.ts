import { WirelabError, type WirelabErrorData } from '../../../shared/contract/errors.ts';

/** A refusal as the view keeps it: the renderer words `code` with `params` (i18n/sender-text.ts); `message` is the English. */
export interface SenderError {
  field: string | null;
  message: string;
  code: string | null;
  params?: Record<string, string | number | boolean>;
}

export const errorOf = (e: WirelabErrorData): SenderError => ({
  field: e.field ?? null,
  message: e.message,
  code: e.code,
  ...(e.params ? { params: e.params } : {}),
});

/** A shared check's WirelabError (checkPort, checkWhole…) as a form error; anything else is a bug and rethrown. */
export function checked<T>(check: () => T): T | SenderError {
  try {
    return check();
  } catch (e) {
    if (e instanceof WirelabError) return errorOf(e.toData());
    throw e;
  }
}

export const isError = (x: unknown): x is SenderError => typeof x === 'object' && x !== null && 'message' in x && 'code' in x;
