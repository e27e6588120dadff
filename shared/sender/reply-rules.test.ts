import { describe, expect, it } from 'vitest';
import { compileRules, regexProblem, replyFor, rulesProblem } from './reply-rules.ts';

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
    expect(() =>
      compileRules([
        { match: 'exact', pattern: 'a', reply: '' },
        { match: 'regex', pattern: '(', reply: '' },
      ]),
    ).toThrow(/rules\[2\]\.pattern: not a valid regular expression/);
  });
  it('runs on a linear-time engine: ^(a+)+$ against 29 a and a ! answers at once', () => {
    const r = compileRules([{ match: 'regex', pattern: '^(a+)+$', reply: 'all a' }]);
    const t0 = performance.now();
    expect(replyFor(r, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaa!')).toBeNull();
    expect(performance.now() - t0).toBeLessThan(100);
    expect(replyFor(r, 'aaaa')).toBe('all a');
    // longer than regex rules take: skipped, never matched on a cut-off part
    expect(replyFor(r, 'a'.repeat(65537))).toBeNull();
  });
  it('fills $&, $$ and two-digit groups as JavaScript does', () => {
    const r = compileRules([{ match: 'regex', pattern: '(x)(y)', reply: '[$&] $$ $12 $2 $9' }]);
    expect(replyFor(r, 'axyb')).toBe('[xy] $ x2 y $9');
  });
  it('refuses backreferences and lookaround in words the UI and CLI share', () => {
    expect(regexProblem('(a)\\1')).toMatch(/^backreferences such as \\1 are not supported: rules run on a linear-time engine \(RE2\)/);
    expect(regexProblem('foo(?=bar)')).toMatch(/^lookahead and lookbehind are not supported/);
    expect(regexProblem('a{2,')).toBeNull();
    expect(
      rulesProblem([
        { match: 'exact', pattern: '(', reply: '' },
        { match: 'regex', pattern: '[', reply: '' },
      ]),
    ).toMatchObject({ field: 'rules[2].pattern', message: expect.stringMatching(/^not a valid regular expression/) });
  });
  it('turns a rule off once it overruns its deadline, and says which', () => {
    const r = compileRules([
      { match: 'regex', pattern: 'slow', reply: 'a' },
      { match: 'contains', pattern: 'slow', reply: 'b' },
    ]);
    let clock = 0;
    const timeouts: number[] = [];
    const timing = { now: () => (clock += 150), onTimeout: (i: number) => timeouts.push(i) };
    expect(replyFor(r, 'slow', timing)).toBe('b');
    expect(replyFor(r, 'slow', timing)).toBe('b');
    expect(timeouts).toEqual([1]);
    expect(r[0]!.timedOut).toBe(true);
  });
});
