import { describe, expect, it } from 'vitest';
import { translate } from './i18n.ts';

// translate() picks a plural key's form by its count (Intl.PluralRules): the one plural lookup.
describe('plural keys by count', () => {
  it('reads "1 byte", "2 bytes", "0 bytes" in English and one form in Chinese', () => {
    expect(translate('en', 'sender.bytes', { n: '1' }, 1)).toBe('1 byte');
    expect(translate('en', 'sender.bytes', { n: '2' }, 2)).toBe('2 bytes');
    expect(translate('en', 'sender.bytes', { n: '0' }, 0)).toBe('0 bytes');
    expect(translate('zh-CN', 'sender.bytes', { n: '1' }, 1)).toBe('1 字节');
  });
  it('words the link’s count of segments in the singular for one ("1 segment", not "1 segments")', () => {
    const p = { lost: 0, pct: 0, set: 0 };
    expect(translate('en', 'tl.link.sentLost', { n: 1, ...p })).toBe('Client sent 1 segment, lost on the link 0 (0 %); loss set to 0 %.');
    expect(translate('en', 'tl.link.sentLost', { n: 2, ...p })).toBe('Client sent 2 segments, lost on the link 0 (0 %); loss set to 0 %.');
    expect(translate('zh-CN', 'tl.link.sentLost', { n: 1, ...p })).toBe('客户端发送 1 个报文段，链路上丢失 0 个（0%）；设定丢包率 0%。');
  });
  it('words the sender log\'s lost entries in the singular for one ("1 older entry was let go"), without blaming the page', () => {
    expect(translate('en', 'sender.log.startGone', { n: '1', budget: '32 MiB' }, 1)).toMatch(/^Start of what the log holds: 1 older entry was let go/);
    expect(translate('en', 'sender.log.startGone', { n: '1,200', budget: '32 MiB' }, 1200)).toMatch(/1,200 older entries were let go/);
    expect(translate('en', 'sender.dropped', { n: '1' }, 1)).toMatch(/^1 entry is missing from this view: the log let it go/);
    expect(translate('en', 'code.SENDER_LOG_GONE', { n: 3 })).not.toMatch(/fell behind/);
  });
  it('takes counts past 2^53 (subnets, hosts) as "other"', () => {
    expect(translate('en', 'subnet.split.count', { count: '1' }, Number('1'))).toBe('1 subnet');
    expect(translate('en', 'subnet.split.count', { count: '18,446,744,073,709,551,616' }, Number(18446744073709551616n))).toBe(
      '18,446,744,073,709,551,616 subnets',
    );
    expect(translate('en', 'subnet.tree.hosts', { hosts: '1' }, Number(1n))).toBe('1 host');
  });
});
