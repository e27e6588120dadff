import { en, type MessageKey, type Messages } from './en.ts';
import { zhCN } from './zh-CN.ts';
import { pluralCategory } from '../../../shared/format/number.ts';

export type Locale = 'en' | 'zh-CN';
export const catalogs: Record<Locale, Messages> = { en, 'zh-CN': zhCN };

/** "system" follows the OS (Electron's and the browser's navigator.language report it). */
export function resolveLocale(setting: 'system' | Locale, systemLanguage: string): Locale {
  if (setting !== 'system') return setting;
  return systemLanguage.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

/**
 * A key with plural forms is written `base.one`, `base.other`… (CLDR's categories); each
 * catalog holds the categories its language uses (English one/other, Chinese only other); the
 * category comes from Intl.PluralRules (shared/format/number.ts's pluralCategory).
 */
export type PluralKey = MessageKey extends infer K ? (K extends `${infer B}.other` ? B : never) : never;
export type TextKey = MessageKey | PluralKey;

function lookup(locale: Locale, key: string, count: number | undefined): string | undefined {
  const catalog = catalogs[locale] as Record<string, string | undefined>;
  // A count picks a plural form where the key has them (`sender.bytes` also reads alone).
  if (catalog[key] !== undefined && (count === undefined || catalog[`${key}.other`] === undefined)) return catalog[key];
  if (catalog[`${key}.other`] === undefined) return undefined;
  const category = count === undefined ? 'other' : pluralCategory(count, locale);
  return catalog[`${key}.${category}`] ?? catalog[`${key}.other`];
}

/**
 * The text of `key` in `locale`, its {placeholders} filled. For a plural key the form is picked
 * by `count`, or else by the `n` param.
 */
export function translate(locale: Locale, key: TextKey, params?: Record<string, string | number>, count?: number): string {
  const n = count ?? (typeof params?.n === 'number' ? params.n : undefined);
  const text = lookup(locale, key, n) ?? lookup('en', key, n) ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

export function hasText(locale: Locale, key: string): boolean {
  return lookup(locale, key, undefined) !== undefined;
}

export type { MessageKey };
