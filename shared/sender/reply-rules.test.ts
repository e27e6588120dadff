import { describe, expect, it } from 'vitest';
import { compileRules, replyFor } from './reply-rules.ts';

describe('reply rules', () => {
  const rules = compileRules([
    { match: 'exact', pattern: 'ping', reply: 'pong' },
    { match: 'regex', pattern: 'GET /(\\w+)', reply: 'you asked for $1' },
    { match: 'regex', pattern: '(?<a>\\d+)\\+(?<b>\\d+)', reply: '$<b>+$<a>' },
    { match: 'prefix', pattern: 'HELLO', reply: 'hi' },
    { match: 'contains', pattern: '你好', reply: '你也好' },
  ]);
  it('the first matching rule answers, with captured groups', () => {
    expect(replyFor(rules, 'ping')).toBe('pong');
    expect(replyFor(rules, 'ping!')).toBeNull();
    expect(replyFor(rules, 'GET /index HTTP/1.1')).toBe('you asked for index');
    expect(replyFor(rules, 'sum 2+40 please')).toBe('40+2');
    expect(replyFor(rules, 'HELLO there')).toBe('hi');
    expect(replyFor(rules, '大家你好')).toBe('你也好');
    expect(replyFor(rules, 'nothing')).toBeNull();
  });
  it('names a broken regex by its position', () => {
    expect(() => compileRules([{ match: 'exact', pattern: 'a', reply: '' }, { match: 'regex', pattern: '(', reply: '' }])).toThrow(/rules\[2\]\.pattern: not a valid regular expression/);
  });
});
