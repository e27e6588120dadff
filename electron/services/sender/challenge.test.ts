import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { answerFor, checkAnswer, newChallenge } from './challenge.ts';

/** What the notes' own client computes, run in python3 so the two ends are proven to agree. */
function python(algo: 'md5' | 'hmac-sha256', key: string, challenge: Uint8Array): string {
  const program =
    algo === 'md5'
      ? 'import hashlib,sys; m=hashlib.md5(sys.argv[1].encode()); m.update(bytes.fromhex(sys.argv[2])); print(m.hexdigest())'
      : 'import hmac,sys; print(hmac.new(sys.argv[1].encode(), bytes.fromhex(sys.argv[2]), "sha256").hexdigest())';
  return execFileSync('python3', ['-c', program, key, Buffer.from(challenge).toString('hex')], { encoding: 'utf8' }).trim();
}

describe('challenge answers', () => {
  it('answers md5(key + challenge) hex as the notes client does', () => {
    const c = newChallenge();
    expect(c.length).toBe(32);
    expect(Buffer.from(answerFor({ algo: 'md5', key: 'alexbigs' }, c)).toString('ascii')).toBe(python('md5', 'alexbigs', c));
  });

  it('answers HMAC-SHA256 hex as Python hmac.new(key, challenge, "sha256") does', () => {
    const c = newChallenge();
    expect(Buffer.from(answerFor({ algo: 'hmac-sha256', key: '密钥' }, c)).toString('ascii')).toBe(python('hmac-sha256', '密钥', c));
  });

  it("refuses the notes' own mismatch: a client keyed alexbigs against a server keyed alexbigsb", () => {
    const c = newChallenge();
    const fromClient = answerFor({ algo: 'md5', key: 'alexbigs' }, c);
    expect(checkAnswer({ algo: 'md5', key: 'alexbigsb' }, c, fromClient)).toBe(false);
    expect(checkAnswer({ algo: 'md5', key: 'alexbigs' }, c, fromClient)).toBe(true);
    expect(checkAnswer({ algo: 'md5', key: 'alexbigs' }, c, fromClient.subarray(0, 31))).toBe(false);
  });

  it('gives a fresh challenge each time', () => {
    expect(Buffer.from(newChallenge()).equals(Buffer.from(newChallenge()))).toBe(false);
  });
});
