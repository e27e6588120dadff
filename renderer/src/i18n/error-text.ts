import { catalogCodes, isCatalogCode, type CodeSpec } from '../../../shared/contract/codes.ts';
import type { WirelabErrorData } from '../../../shared/contract/errors.ts';
import { formatLimit, limits, type LimitName } from '../../../shared/contract/limits.ts';
import { hasText, translate, type Locale, type MessageKey, type TextKey } from './i18n.ts';

type Params = Record<string, string | number | boolean> | undefined;

function isLimitName(name: unknown): name is LimitName {
  return typeof name === 'string' && Object.hasOwn(limits, name);
}

/**
 * `code` worded by its registry entry `spec`: every param the spec names must be there (else
 * null, and the caller keeps the backend's English); the text is `code.<CODE>`, or
 * `code.<CODE>.<variant>` for a code with variants, its plural form picked by the count param
 * (translate(): `.one` / `.other` by Intl.PluralRules), filled with all the params given. A
 * nested param (itself a code) is worded first by `nested`.
 */
export function wordCode(
  locale: Locale,
  code: string,
  spec: CodeSpec,
  params: Params,
  nested: (code: string) => string | null = (c) => codeText(locale, c, params),
  /** Params shown otherwise than their value (a byte count with its digit groups); the count still picks the plural form. */
  shown: Record<string, string> = {},
): string | null {
  const p = params ?? {};
  if (!spec.params.every((name) => p[name] !== undefined)) return null;
  const filled: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(p)) filled[name] = typeof value === 'number' ? value : String(value);
  Object.assign(filled, shown);
  if (spec.nested) {
    const inner = nested(String(p[spec.nested]));
    if (inner === null) return null;
    filled[spec.nested] = inner;
  }
  let key = `code.${code}`;
  if (spec.variants && typeof p.variant === 'string') key += `.${p.variant}`;
  if (!hasText(locale, key)) return null;
  const counted = spec.count === undefined ? undefined : p[spec.count];
  const count = typeof counted === 'number' ? counted : undefined;
  return translate(locale, key as TextKey, filled, count);
}

/**
 * A registered code (shared/contract/codes.ts) in the user's language, from `code.<CODE>` and
 * its params; null when the code is not one the catalogs word or a param it needs is missing
 * (then the caller keeps the backend's English).
 */
export function codeText(locale: Locale, code: string, params: Params): string | null {
  if (!isCatalogCode(code)) return null;
  return wordCode(locale, code, catalogCodes[code], params);
}

/**
 * The user's-language wording of a contract error, chosen by its code and filled from its
 * params (the limit, the file, the errno code, the pid…); an error with no catalog wording
 * keeps the service's English message, which already names the field and the rule.
 */
export function errorText(locale: Locale, error: Pick<WirelabErrorData, 'code' | 'message' | 'params'>): string {
  const p = error.params ?? {};
  if (error.code === 'LIMIT_EXCEEDED' && isLimitName(p.limit) && typeof p.max === 'number') {
    return translate(locale, `limit.${p.limit}` as MessageKey, { max: formatLimit(p.limit, locale, p.max) });
  }
  return codeText(locale, error.code, error.params) ?? error.message;
}
