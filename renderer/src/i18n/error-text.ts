import type { WirelabErrorData } from '../../../shared/contract/errors.ts';
import { limits, type LimitName } from '../../../shared/contract/limits.ts';
import { translate, type Locale, type MessageKey } from './i18n.ts';

const MiB = 1024 * 1024;

function isLimitName(name: unknown): name is LimitName {
  return typeof name === 'string' && Object.hasOwn(limits, name);
}

/** A limit's value as the user reads it: sizes in MiB, counts with the locale's separators. */
export function formatLimitValue(locale: Locale, name: LimitName, max: number): string {
  if (name !== 'packetLibraryPackets' && max % MiB === 0) return `${max / MiB} MiB`;
  return max.toLocaleString(locale);
}

/**
 * The user's-language wording of a contract error, chosen by its code and filled from its
 * params (the limit, the file, the errno code); any other error keeps the service's English
 * message, which already names the field and the rule.
 */
export function errorText(locale: Locale, error: Pick<WirelabErrorData, 'code' | 'message' | 'params'>): string {
  const p = error.params ?? {};
  if (error.code === 'LIMIT_EXCEEDED' && isLimitName(p.limit) && typeof p.max === 'number') {
    return translate(locale, `limit.${p.limit}` as MessageKey, { max: formatLimitValue(locale, p.limit, p.max) });
  }
  if (error.code === 'DATA_FILE_UNWRITABLE' && typeof p.path === 'string') {
    return translate(locale, 'error.DATA_FILE_UNWRITABLE', { path: p.path, reason: String(p.reason ?? '') });
  }
  return error.message;
}
