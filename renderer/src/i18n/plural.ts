import { pluralCategory } from '../../../shared/format/number.ts';
import { en, type MessageKey } from './en.ts';
import type { Locale } from './i18n.ts';

/** A message written in plural forms: `base.one`, `base.other` (CLDR categories; English uses these two). */
export type PluralBase = MessageKey extends infer K ? (K extends `${infer B}.other` ? B : never) : never;

/**
 * The key of `base` for the count `n` in `locale`, by Intl.PluralRules: "1 byte", "2 bytes";
 * Chinese has one form, so it always reads `.other`. A count too big for a number (a subnet
 * count is a bigint string) is "other" unless it is exactly 1.
 */
export function pluralKey(base: PluralBase, n: number | bigint | string, locale: Locale): MessageKey {
  const count = typeof n === 'number' ? n : String(n) === '1' ? 1 : 2;
  const one = `${base}.one`;
  return (pluralCategory(count, locale) === 'one' && one in en ? one : `${base}.other`) as MessageKey;
}
