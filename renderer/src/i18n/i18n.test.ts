import { describe, expect, it } from 'vitest';
import { en } from './en.ts';
import { resolveLocale, translate } from './i18n.ts';
import { errorText } from './error-text.ts';
import { limits } from '../../../shared/contract/limits.ts';
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

describe('wording of contract errors by code', () => {
  it('words LIMIT_EXCEEDED from its params in both languages, and keeps other messages', () => {
    const over = { code: 'LIMIT_EXCEEDED', message: 'file: at most 10,000 packets (limit packetLibraryPackets)', params: { limit: 'packetLibraryPackets', max: 10_000 } };
    expect(errorText('en', over)).toBe('A library holds at most 10,000 packets. Delete some first.');
    expect(errorText('zh-CN', over)).toBe('数据包库最多保存 10,000 个数据包。请先删除一些。');
    expect(errorText('en', { code: 'LIMIT_EXCEEDED', message: '', params: { limit: 'captureImportBytes', max: 96 * 1024 * 1024 } })).toBe('The capture file is over the limit of 96 MiB.');
    expect(errorText('zh-CN', { code: 'DATA_FILE_UNWRITABLE', message: '', params: { path: '/d/settings.json', reason: 'EISDIR' } })).toBe('无法保存到 /d/settings.json（EISDIR）。请修复或移除它后重试。');
    expect(errorText('zh-CN', { code: 'ECONNREFUSED', message: 'nobody listens' })).toBe('nobody listens');
    // A limit this build does not know keeps the English message.
    expect(errorText('en', { code: 'LIMIT_EXCEEDED', message: 'x: too big', params: { limit: 'nope', max: 1 } })).toBe('x: too big');
  });

  it('has a wording for every limit in both catalogs', () => {
    for (const name of Object.keys(limits)) {
      expect(Object.keys(en), name).toContain(`limit.${name}`);
      expect(Object.keys(zhCN), name).toContain(`limit.${name}`);
    }
  });
});
