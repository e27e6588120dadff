import { WirelabError } from '../contract/errors.ts';
import { payloadSpecSchema } from '../contract/sender.ts';

export type HeaderFields = Record<string, string | number | boolean | null>;

/**
 * Extra fields of a header-json header typed as JSON (the composer's box, the CLI's --header),
 * e.g. `{"operate": "upload", "filename": "a.bin"}`. Checked by the contract's own schema
 * (payload.header), so the GUI, the CLI and the host refuse the same things; the size key is
 * always computed by the framing, whatever is typed here.
 */
export function parseHeaderFields(text: string, field = 'header'): HeaderFields {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new WirelabError('HEADER_JSON', `${field}: not JSON (${(e as Error).message}); write it like {"operate": "upload", "filename": "a.bin"}`, field, {
      field,
    });
  }
  const r = payloadSpecSchema.shape.header.safeParse(value);
  if (!r.success || r.data === undefined)
    throw new WirelabError(
      'HEADER_JSON',
      `${field}: a JSON object of strings, numbers, booleans or null (keys up to 64 characters)${r.success ? '' : `: ${r.error.issues[0]?.message ?? ''}`}`,
      field,
      { field },
    );
  return r.data;
}
