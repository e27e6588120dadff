import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { ChallengeSpec } from '../../../shared/contract/sender.ts';
import { challengeBytes, sameAnswer } from '../../../shared/sender/challenge.ts';

/**
 * The hashing half of the course's client authentication (shared/sender/challenge.ts has the
 * rest): used by the server's challenge responder, the client's `--answer` and the scripts'
 * `answer` step, so both ends compute it one way.
 */

/** 32 random bytes, as the notes' `os.urandom(32)`. */
export function newChallenge(): Uint8Array {
  return new Uint8Array(randomBytes(challengeBytes));
}

/**
 * The answer as the notes' client sends it: `hashlib.md5(KEY); md5.update(challenge);
 * md5.hexdigest().encode('utf-8')` — MD5 over key then challenge, lowercase hex as ASCII — or
 * `hmac.new(KEY, challenge, 'sha256').hexdigest()`. The key is taken as UTF-8 (the notes' `b'alexbigs'`).
 */
export function answerFor(spec: ChallengeSpec, challenge: Uint8Array): Uint8Array {
  const key = Buffer.from(spec.key, 'utf8');
  const hex = spec.algo === 'md5' ? createHash('md5').update(key).update(challenge).digest('hex') : createHmac('sha256', key).update(challenge).digest('hex');
  return new Uint8Array(Buffer.from(hex, 'ascii'));
}

/** Whether `answer` is what a client holding the key sends for `challenge`. */
export function checkAnswer(spec: ChallengeSpec, challenge: Uint8Array, answer: Uint8Array): boolean {
  return sameAnswer(answerFor(spec, challenge), answer);
}
