import { describe, expect, it } from 'vitest';
import { answerLength, parseChallengeSpec, PrefixTaker, sameAnswer } from './challenge.ts';

describe('parseChallengeSpec', () => {
  it('reads md5:KEY and hmac-sha256:KEY, a key may hold colons', () => {
    expect(parseChallengeSpec('md5:alexbigs')).toEqual({ algo: 'md5', key: 'alexbigs' });
    expect(parseChallengeSpec('hmac-sha256:a:b')).toEqual({ algo: 'hmac-sha256', key: 'a:b' });
  });
  it('names the field and the rule', () => {
    expect(() => parseChallengeSpec('sha1:k', 'answer')).toThrow(/answer: "sha1" is not an algorithm/);
    expect(() => parseChallengeSpec('md5:', 'answer')).toThrow(/answer: the key after "md5:"/);
    expect(() => parseChallengeSpec('md5')).toThrow(expect.objectContaining({ code: 'CHALLENGE_SPEC', field: 'challenge' }));
  });
});

describe('PrefixTaker', () => {
  it('takes a prefix that arrives in pieces and hands on what follows it in the same chunk', () => {
    const t = new PrefixTaker(4);
    expect(t.push(Uint8Array.of(1, 2))).toBeNull();
    expect(t.done).toBe(false);
    expect([...t.push(Uint8Array.of(3, 4, 5, 6))!]).toEqual([5, 6]);
    expect([...t.prefix]).toEqual([1, 2, 3, 4]);
    expect([...t.push(Uint8Array.of(7))!]).toEqual([7]);
  });
});

describe('sameAnswer', () => {
  it('is equality of bytes, length included', () => {
    const a = new TextEncoder().encode('abc');
    expect(sameAnswer(a, new TextEncoder().encode('abc'))).toBe(true);
    expect(sameAnswer(a, new TextEncoder().encode('abd'))).toBe(false);
    expect(sameAnswer(a, new TextEncoder().encode('abcd'))).toBe(false);
    expect(answerLength('md5')).toBe(32);
    expect(answerLength('hmac-sha256')).toBe(64);
  });
});
