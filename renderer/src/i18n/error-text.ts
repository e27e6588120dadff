import { catalogCodes, isCatalogCode } from '../../../shared/contract/codes.ts';
import { formatBytes } from '../../../shared/format/bytes.ts';
import type { WirelabErrorData } from '../../../shared/contract/errors.ts';
import { limits, type LimitName } from '../../../shared/contract/limits.ts';
import { hasText, translate, type Locale, type MessageKey, type TextKey } from './i18n.ts';

const MiB = 1024 * 1024;

type Params = Record<string, string | number | boolean> | undefined;

function isLimitName(name: unknown): name is LimitName {
  return typeof name === 'string' && Object.hasOwn(limits, name);
}

/** A limit's value as the user reads it: sizes in MiB, counts with the locale's separators. */
export function formatLimitValue(locale: Locale, name: LimitName, max: number): string {
  if (name !== 'packetLibraryPackets' && max % MiB === 0) return formatBytes(max);
  return max.toLocaleString(locale);
}

/**
 * A registered code (shared/contract/codes.ts) in the user's language, from `code.<CODE>` and
 * its params; null when the code is not one the catalogs word or a param it needs is missing
 * (then the caller keeps the backend's English).
 */
export function codeText(locale: Locale, code: string, params: Params): string | null {
  if (!isCatalogCode(code)) return null;
  const spec = catalogCodes[code] as { params: readonly string[]; count?: string; nested?: string };
  const p = params ?? {};
  if (!spec.params.every((name) => p[name] !== undefined)) return null;
  const filled: Record<string, string | number> = {};
  for (const name of spec.params) filled[name] = typeof p[name] === 'number' ? p[name] : String(p[name]);
  if (spec.nested) {
    const inner = codeText(locale, String(p[spec.nested]), params);
    if (inner === null) return null;
    filled[spec.nested] = inner;
  }
  const key = `code.${code}`;
  if (!hasText(locale, key)) return null;
  const counted = spec.count === undefined ? undefined : p[spec.count];
  const count = typeof counted === 'number' ? counted : undefined;
  return translate(locale, key as TextKey, filled, count);
}

/**
 * The user's-language wording of a contract error, chosen by its code and filled from its
 * params (the limit, the file, the errno code, the pid…); an error with no catalog wording
 * keeps the service's English message, which already names the field and the rule.
 */
export function errorText(locale: Locale, error: Pick<WirelabErrorData, 'code' | 'message' | 'params'>): string {
  const p = error.params ?? {};
  if (error.code === 'LIMIT_EXCEEDED' && isLimitName(p.limit) && typeof p.max === 'number') {
    return translate(locale, `limit.${p.limit}` as MessageKey, { max: formatLimitValue(locale, p.limit, p.max) });
  }
  return codeText(locale, error.code, error.params) ?? error.message;
}
