import { en, type MessageKey, type Messages } from './en.ts';
import { zhCN } from './zh-CN.ts';

export type Locale = 'en' | 'zh-CN';
export const catalogs: Record<Locale, Messages> = { en, 'zh-CN': zhCN };

/** "system" follows the OS (Electron's and the browser's navigator.language report it). */
export function resolveLocale(setting: 'system' | Locale, systemLanguage: string): Locale {
  if (setting !== 'system') return setting;
  return systemLanguage.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export function translate(locale: Locale, key: MessageKey, params?: Record<string, string | number>): string {
  const text = catalogs[locale][key] ?? en[key];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

export type { MessageKey };
