import { WirelabError } from '../contract/errors.ts';
import { defaultMaxFrame, framingByName, framingNames, type Framing, type FramingName } from './framing.ts';
import { parseEscaped, utf8Encode } from './payload.ts';

/** The custom-framing fields of the new-session form, as typed (strings until checked). */
export interface CustomFraming {
  kind: 'delimiter' | 'fixed' | 'length' | 'header-json';
  /** With escapes: \\r\\n, \\0, \\x03 … */
  delimiter: string;
  size: string;
  bytes: '1' | '2' | '4' | '8';
  endian: 'be' | 'le';
  includesPrefix: boolean;
  sizeKey: string;
}

/** Why a form's framing cannot be used: the field, a code (shared/contract/codes.ts) with params, the English. */
export interface FramingFormError {
  field: string;
  code: string;
  message: string;
  params: Record<string, string | number | boolean>;
}

const refuse = (code: string, field: string, message: string, params: Record<string, string | number> = {}): FramingFormError => ({
  field,
  code,
  message,
  params: { field, ...params },
});

/** The framing a form describes, or the reason it cannot be used. */
export function framingOf(form: { framing: FramingName | 'custom'; custom: CustomFraming }): Framing | FramingFormError {
  if (form.framing !== 'custom') return framingByName(form.framing);
  const c = form.custom;
  switch (c.kind) {
    case 'delimiter': {
      let text: string;
      try {
        text = new TextDecoder().decode(parseEscaped(c.delimiter, utf8Encode, 'delimiter'));
      } catch (e) {
        if (e instanceof WirelabError) return { field: 'delimiter', code: e.code, message: e.message, params: e.params ?? { field: 'delimiter' } };
        throw e;
      }
      if (text.length < 1 || text.length > 16) return refuse('DELIMITER_LENGTH', 'delimiter', 'delimiter: 1–16 characters, e.g. \\r\\n');
      return { kind: 'delimiter', delimiter: text };
    }
    case 'fixed':
      if (!/^\d+$/.test(c.size) || Number(c.size) < 1 || Number(c.size) > defaultMaxFrame)
        return refuse('NUMBER_RANGE', 'size', `size: "${c.size}" must be a whole number of bytes, 1 to 16 MiB`, {
          value: c.size,
          min: 1,
          max: defaultMaxFrame,
        });
      return { kind: 'fixed', size: Number(c.size) };
    case 'length':
      return { kind: 'length', bytes: Number(c.bytes) as 1 | 2 | 4 | 8, endian: c.endian, includesPrefix: c.includesPrefix };
    case 'header-json':
      if (!c.sizeKey.trim()) return refuse('SIZE_KEY_EMPTY', 'sizeKey', 'size key: name the header field that holds the body size');
      return { kind: 'header-json', sizeKey: c.sizeKey.trim() };
  }
}

/** The preset a framing is ('line', 'len32le' …), or 'custom': how a page names a session it did not open. */
export function framingNameOf(f: Framing): FramingName | 'custom' {
  const same = (a: Framing, b: Framing) => JSON.stringify(a, Object.keys(a).sort()) === JSON.stringify(b, Object.keys(b).sort());
  return framingNames.find((n) => same(framingByName(n), f)) ?? 'custom';
}
