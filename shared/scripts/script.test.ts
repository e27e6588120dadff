import { describe, expect, it } from 'vitest';
import { utf8Encode } from '../sender/payload.ts';
import { parseChallengeText, parseScript, scriptFramings, scriptPath, scriptProblems, stepAction } from './script.ts';

const base = { connect: { kind: 'tcp', host: '127.0.0.1', port: 9000 } };
const problems = (doc: unknown) => scriptProblems(typeof doc === 'string' ? doc : JSON.stringify(doc));

describe('the script format', () => {
  it("accepts the issue's example with its defaults filled in", () => {
    const s = parseScript(
      JSON.stringify({
        connect: { kind: 'tcp', host: '127.0.0.1', port: 9000, frame: 'len32le', frameIn: 'header-json', encoding: 'gbk' },
        repeat: 1,
        steps: [
          { send: 'hello' },
          { send: '01 02', as: 'hex' },
          { expect: 'hello', timeoutMs: 2000 },
          { expectRegex: '^ok' },
          { expectHex: '0a' },
          { wait: 100 },
          { answer: 'md5:KEY' },
          { save: '/tmp/x' },
        ],
      }),
    );
    expect(s.steps).toHaveLength(8);
    expect(scriptFramings(s.connect)).toEqual({
      framingIn: { kind: 'header-json', sizeKey: 'data_size' },
      framingOut: { kind: 'length', bytes: 4, endian: 'le', includesPrefix: false },
    });
    expect(parseScript(JSON.stringify({ ...base, steps: [{ wait: 1 }] })).connect).toMatchObject({ frame: 'raw', encoding: 'utf8', timeoutMs: 5000 });
  });

  it('names the step and the field of each problem, with a rule the editor words', () => {
    expect(problems({ ...base, steps: [{ send: 'a' }, { sned: 'b' }] })[0]).toMatchObject({ field: 'steps[1].sned', rule: 'unknown-key' });
    expect(problems({ ...base, steps: [{ send: 'a', expect: 'b' }] })[0]).toMatchObject({
      field: 'steps[0].expect',
      rule: 'one-action',
      params: { keys: 'send, expect' },
    });
    expect(problems({ ...base, steps: [{ timeoutMs: 5 }] })[0]).toMatchObject({ field: 'steps[0]', rule: 'no-action' });
    expect(problems({ ...base, steps: [{ expect: 'x', as: 'hex' }] })[0]).toMatchObject({ field: 'steps[0].as', message: '"as" belongs to a send step' });
    expect(problems({ ...base, steps: [{ expectRegex: '(?=x)' }] })[0]).toMatchObject({
      field: 'steps[0].expectRegex',
      message: expect.stringMatching(/^lookahead and lookbehind are not supported/),
    });
    expect(problems({ ...base, steps: [{ send: 'a\\q', as: 'escaped' }] })[0]).toMatchObject({
      field: 'steps[0].send',
      message: expect.stringMatching(/^"\\q" at position 2 is not an escape/),
    });
    expect(problems({ ...base, steps: [{ wait: -1 }] })[0]).toMatchObject({ field: 'steps[0].wait' });
    expect(problems({ connect: { kind: 'sctp', host: 'h', port: 1 }, steps: [{ wait: 1 }] })[0]).toMatchObject({ field: 'connect.kind' });
    expect(problems({ ...base, steps: [] })[0]).toMatchObject({ field: 'steps', message: 'a script needs at least one step' });
    expect(problems('{"connect":')[0]).toMatchObject({ field: 'script', rule: 'not-json' });
    expect(problems({ ...base, steps: [{ wait: 1 }], extra: 1 })[0]).toMatchObject({ field: 'extra', rule: 'unknown-key' });
  });

  it('turns steps into bytes the way the composer does', () => {
    expect(stepAction({ send: 'hi\\r\\n', as: 'escaped' }, utf8Encode)).toEqual({ action: 'send', bytes: Uint8Array.of(0x68, 0x69, 13, 10) });
    expect(stepAction({ send: 'ff 00', as: 'hex' }, utf8Encode)).toEqual({ action: 'send', bytes: Uint8Array.of(0xff, 0) });
    expect(stepAction({ expectHex: '0a0d' }, utf8Encode)).toMatchObject({ action: 'expect', bytes: Uint8Array.of(10, 13) });
    expect(stepAction({ answer: 'hmac-sha256:k:ey' }, utf8Encode)).toEqual({ action: 'answer', algo: 'hmac-sha256', key: 'k:ey' });
    expect(() => parseChallengeText('md5:')).toThrow(/answer: the key after "md5:" must be 1–1024 characters/);
  });

  it('writes paths as the JSON reads them', () => {
    expect(scriptPath(['steps', 3, 'expect'])).toBe('steps[3].expect');
    expect(scriptPath(['connect', 'port'])).toBe('connect.port');
    expect(scriptPath([])).toBe('script');
  });
});
