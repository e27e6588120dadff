import { describe, expect, it } from 'vitest';
import { formatBitRate, formatByteCount, formatCount, pluralCategory } from './number.ts';

describe('formatBitRate', () => {
  it('picks the unit that keeps the number readable (issue: "0.0006 Gbit/s" for 10,000 pps × 8 B)', () => {
    expect(formatBitRate(10_000 * 8 * 8, 'en')).toBe('640 kbit/s');
    expect(formatBitRate(15.24e9, 'en')).toBe('15.2 Gbit/s');
    expect(formatBitRate(2.5e6, 'en')).toBe('2.5 Mbit/s');
    expect(formatBitRate(999, 'en')).toBe('999 bit/s');
    expect(formatBitRate(0, 'en')).toBe('0 bit/s');
  });
  it('rounds before choosing, so just under a unit does not read "1,000 kbit/s"', () => {
    expect(formatBitRate(999_999, 'en')).toBe('1 Mbit/s');
    expect(formatBitRate(999_499, 'en')).toBe('999 kbit/s');
  });
  it('writes numbers the locale way', () => {
    expect(formatBitRate(1234e9, 'en')).toBe('1,230 Gbit/s');
    expect(formatBitRate(1.5e6, 'de')).toBe('1,5 Mbit/s');
    expect(formatBitRate(1.5e6, 'zh-CN')).toBe('1.5 Mbit/s');
  });
  it('shows a dash for a rate that cannot be measured', () => {
    expect(formatBitRate(Number.NaN, 'en')).toBe('—');
    expect(formatBitRate(Infinity, 'en')).toBe('—');
  });
});

describe('formatCount and formatByteCount', () => {
  it('group digits one way per locale (issue: "in 1304262391 B" beside "652,217,571 B")', () => {
    expect(formatByteCount(1_304_262_391, 'en')).toBe('1,304,262,391 B');
    expect(formatByteCount(652_217_571, 'zh-CN')).toBe('652,217,571 B');
    expect(formatCount(3_142_429, 'de')).toBe('3.142.429');
    expect(formatCount(0, 'en')).toBe('0');
  });
});

describe('pluralCategory', () => {
  it('follows CLDR: English one/other, Chinese only other', () => {
    expect(pluralCategory(1, 'en')).toBe('one');
    expect(pluralCategory(2, 'en')).toBe('other');
    expect(pluralCategory(0, 'en')).toBe('other');
    expect(pluralCategory(1, 'zh-CN')).toBe('other');
  });
});
