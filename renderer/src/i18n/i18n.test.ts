import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCapture } from '../../../shared/timeline/pcap-reader.ts';
import { catalogCodes, codes } from '../../../shared/contract/codes.ts';
import { en } from './en.ts';
import { catalogs, resolveLocale, translate, type Locale } from './i18n.ts';
import { codeText, errorText } from './error-text.ts';
import { limits } from '../../../shared/contract/limits.ts';
import { zhCN } from './zh-CN.ts';
import { signalHintKey } from '../panels/processes/signal-hint.ts';
import { labTextKey } from '../panels/processes/lab-text.ts';
import { labKindSchema } from '../../../shared/contract/processes.ts';

const locales = Object.keys(catalogs) as Locale[];
const pluralSuffix = /\.(zero|one|two|few|many|other)$/;
const placeholders = (s: string) => [...new Set([...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!))].sort();

describe('i18n', () => {
  it('has the same keys in both languages (plural forms aside) and no untranslated Chinese entries', () => {
    const base = (keys: string[]) => [...new Set(keys.map((k) => k.replace(pluralSuffix, '')))].sort();
    expect(base(Object.keys(zhCN))).toEqual(base(Object.keys(en)));
    const zh = zhCN as Record<string, string | undefined>;
    const sameAsEnglish = Object.keys(en).filter(
      (k) => zh[k] === en[k as keyof typeof en] && /[a-z]{4}/.test(en[k as keyof typeof en].replace(/\{\w+\}/g, '')),
    );
    // Product names and system-call names (listen(), accept()…) stay as they are; everything else is translated.
    expect(sameAsEnglish).toEqual(['app.name', 'tl.ev.listen', 'tl.ev.accept', 'tl.ev.send', 'tl.ev.receive']);
  });

  it('keeps every {placeholder} in the translation', () => {
    const zh = zhCN as Record<string, string | undefined>;
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      const other = zh[key] ?? zh[key.replace(pluralSuffix, '.other')];
      expect(other, key).toBeDefined();
      expect(placeholders(other!), key).toEqual(placeholders(en[key]));
    }
  });

  it('picks the plural form by the count with the language’s rules', () => {
    expect(translate('en', 'ps.conn.count', { n: 1 })).toBe('1 socket');
    expect(translate('en', 'ps.conn.count', { n: 2 })).toBe('2 sockets');
    expect(translate('en', 'ps.conn.count', { n: 0 })).toBe('0 sockets');
    expect(translate('zh-CN', 'ps.conn.count', { n: 1 })).toBe('1 个套接字');
    expect(codeText('en', 'MARK_BYTES', { bytes: 1 })).toBe('1 byte');
    expect(codeText('en', 'MARK_BYTES', { bytes: 18 })).toBe('18 bytes');
  });

  it('words the signal buttons’ hints for Windows as suspend/resume and TerminateProcess, not as POSIX signals', () => {
    for (const locale of locales) {
      const win = (s: 'SIGTERM' | 'SIGKILL' | 'SIGSTOP' | 'SIGCONT') => translate(locale, signalHintKey(s, 'win32'));
      expect(win('SIGSTOP'), locale).toMatch(/NtSuspendProcess/);
      expect(win('SIGCONT'), locale).toMatch(/NtResumeProcess/);
      expect(win('SIGKILL'), locale).toMatch(/TerminateProcess/);
      expect(win('SIGTERM'), locale).toMatch(/TerminateProcess/);
      // It says "Windows has no SIGSTOP", but never that the process gets state T or a SIGCONT.
      expect(win('SIGSTOP'), locale).not.toMatch(/状态 T|state T/);
      expect(win('SIGCONT'), locale).not.toMatch(/SIGCONT/);
      expect(translate(locale, signalHintKey('SIGSTOP', 'linux')), locale).toMatch(/^SIGSTOP/);
    }
  });

  it('gives every lab a Windows note in both languages that differs from the Linux one and names what Windows does', () => {
    for (const locale of locales) {
      for (const kind of labKindSchema.options) {
        const win = translate(locale, labTextKey(kind, 'win32'));
        expect(win, `${locale} ${kind}`).not.toBe(translate(locale, labTextKey(kind, 'linux')));
        expect(win, `${locale} ${kind}`).toMatch(/Windows/);
      }
      expect(translate(locale, labTextKey('zombie', 'win32'))).toMatch(/wait\(\)/);
      expect(translate(locale, labTextKey('stopped', 'win32'))).toMatch(/NtSuspendProcess/);
      expect(translate(locale, labTextKey('orphan', 'win32'))).toMatch(/init/);
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
    const over = {
      code: 'LIMIT_EXCEEDED',
      message: 'file: at most 10,000 packets (limit packetLibraryPackets)',
      params: { limit: 'packetLibraryPackets', max: 10_000 },
    };
    expect(errorText('en', over)).toBe('A library holds at most 10,000 packets. Delete some first.');
    expect(errorText('zh-CN', over)).toBe('数据包库最多保存 10,000 个数据包。请先删除一些。');
    expect(errorText('en', { code: 'LIMIT_EXCEEDED', message: '', params: { limit: 'captureImportBytes', max: 96 * 1024 * 1024 } })).toBe(
      'The capture file is over the limit of 96 MiB.',
    );
    expect(errorText('zh-CN', { code: 'DATA_FILE_UNWRITABLE', message: '', params: { path: '/d/settings.json', reason: 'EISDIR' } })).toBe(
      '无法保存到 /d/settings.json（EISDIR）。请修复或移除它后重试。',
    );
    expect(errorText('zh-CN', { code: 'ECONNREFUSED', message: 'nobody listens' })).toBe('nobody listens');
    expect(
      errorText('zh-CN', { code: 'NOT_A_CAPTURE', message: 'x', params: { name: 'a.pcap', problem: 'CAPTURE_FILE_NOT_CAPTURE', magic: '0x68656c6c' } }),
    ).toBe('a.pcap：不是抓包文件：它以 0x68656c6c 开头（pcap 以 a1b2c3d4 或 a1b23c4d 开头，pcapng 以 0a0d0d0a 开头）');
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

describe('every code the backend can emit has a wording in every catalog', () => {
  const rules = (locale: Locale) => new Intl.PluralRules(locale).resolvedOptions().pluralCategories;

  it.each(Object.keys(catalogCodes))('%s', (code) => {
    const spec = catalogCodes[code as keyof typeof catalogCodes] as {
      params: readonly string[];
      count?: string;
      nested?: string;
      variants?: readonly string[];
    };
    for (const locale of locales) {
      const catalog = catalogs[locale] as Record<string, string | undefined>;
      // A counted code has each plural form its language uses, a code with variants one entry
      // per variant; any other has one entry.
      const keys = spec.count
        ? rules(locale).map((c) => `code.${code}.${c}`)
        : spec.variants
          ? spec.variants.map((v) => `code.${code}.${v}`)
          : [`code.${code}`];
      for (const key of keys) {
        expect(catalog[key], `${locale} ${key}`).toBeDefined();
        // Only the params the backend sends can fill it, and every param it sends is used.
        expect(placeholders(catalog[key]!), `${locale} ${key}`).toEqual([...spec.params].sort());
      }
    }
  });

  it('words a registered code from its params and never falls back to the English message in Chinese', () => {
    const params = (code: string) =>
      Object.fromEntries(codes[code]!.params.map((p) => [p, p === codes[code]!.nested ? 'CAPTURE_FILE_EMPTY' : p === codes[code]!.count ? 2 : `<${p}>`]));
    for (const code of Object.keys(catalogCodes)) {
      const variant = (codes[code] as { variants?: readonly string[] }).variants?.[0];
      const zh = errorText('zh-CN', { code, message: 'ENGLISH FALLBACK', params: { ...params(code), ...(variant ? { variant } : {}) } });
      expect(zh, code).not.toBe('ENGLISH FALLBACK');
      expect(zh, code).not.toMatch(/\{\w+\}/);
    }
    // A code missing a param it needs keeps the backend's English rather than an empty hole.
    expect(errorText('zh-CN', { code: 'EPERM', message: 'Not allowed', params: { pid: 5 } })).toBe('Not allowed');
  });
});

describe("the capture reader's problems, worded from the codes it really sends", () => {
  it('a truncated file and a text file, in Chinese and English, keeping the numbers', () => {
    const truncated = readCapture(new Uint8Array(readFileSync(new URL('../../../test/fixtures/captures/truncated.pcap', import.meta.url)))).problem!;
    expect(codeText('zh-CN', truncated.code, truncated.params)).toBe('文件在一个报文记录的中间结束（多出 72 字节）：文件被截断了');
    expect(codeText('en', truncated.code, truncated.params)).toBe(truncated.message);
    const text = readCapture(new TextEncoder().encode('hello world, this is text')).problem!;
    expect(codeText('zh-CN', text.code, text.params)).toMatch(/^不是抓包文件：它以 0x68656c6c 开头/);
    // The English catalog says what the reader's own English says (the CLI prints that one).
    expect(codeText('en', text.code, text.params)).toBe(text.message);
    const empty = readCapture(new Uint8Array(0)).problem!;
    expect(codeText('zh-CN', empty.code, empty.params)).toBe('文件是空的');
  });
});
