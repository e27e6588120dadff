import { describe, expect, it } from 'vitest';
import { en } from './en.ts';
import { resolveLocale, translate } from './i18n.ts';
import { zhCN } from './zh-CN.ts';

describe('i18n', () => {
  it('has the same keys in both languages and no untranslated Chinese entries', () => {
    expect(Object.keys(zhCN).sort()).toEqual(Object.keys(en).sort());
    const sameAsEnglish = Object.keys(en).filter((k) => zhCN[k as keyof typeof en] === en[k as keyof typeof en] && /[a-z]{4}/.test(en[k as keyof typeof en].replace(/\{\w+\}/g, '')));
    // Product names and system-call names (listen(), accept()…) stay as they are; everything else is translated.
    expect(sameAsEnglish).toEqual(['app.name', 'tl.ev.listen', 'tl.ev.accept', 'tl.ev.send', 'tl.ev.receive']);
  });

  it('keeps every {placeholder} in the translation', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(names(zhCN[key]), key).toEqual(names(en[key]));
    }
  });

  it('follows the OS language when set to system', () => {
    expect(resolveLocale('system', 'zh-CN')).toBe('zh-CN');
    expect(resolveLocale('system', 'zh-TW')).toBe('zh-CN');
    expect(resolveLocale('system', 'en-GB')).toBe('en');
    expect(resolveLocale('system', 'de')).toBe('en');
    expect(resolveLocale('en', 'zh-CN')).toBe('en');
  });

  it('fills parameters', () => {
    expect(translate('en', 'status.latency', { ms: 1.5 })).toBe('Round trip 1.5 ms');
    expect(translate('zh-CN', 'panel.shortcut', { keys: 'Ctrl+2' })).toBe('快捷键：Ctrl+2');
  });
});
