import { describe, expect, it } from 'vitest';
import { translate } from './i18n.ts';
import { pluralKey } from './plural.ts';

describe('pluralKey', () => {
  it('reads "1 byte", "2 bytes", "0 bytes" in English and one form in Chinese', () => {
    expect(translate('en', pluralKey('sender.bytes', 1, 'en'), { n: '1' })).toBe('1 byte');
    expect(translate('en', pluralKey('sender.bytes', 2, 'en'), { n: '2' })).toBe('2 bytes');
    expect(translate('en', pluralKey('sender.bytes', 0, 'en'), { n: '0' })).toBe('0 bytes');
    expect(translate('zh-CN', pluralKey('sender.bytes', 1, 'zh-CN'), { n: '1' })).toBe('1 字节');
  });
  it('takes bigint and decimal-string counts (subnets, hosts)', () => {
    expect(translate('en', pluralKey('subnet.split.count', '1', 'en'), { count: '1' })).toBe('1 subnet');
    expect(translate('en', pluralKey('subnet.split.count', 18446744073709551616n, 'en'), { count: '18,446,744,073,709,551,616' })).toBe('18,446,744,073,709,551,616 subnets');
    expect(translate('en', pluralKey('subnet.tree.hosts', '1', 'en'), { hosts: '1' })).toBe('1 host');
  });
});
