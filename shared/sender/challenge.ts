import { WirelabError } from '../contract/errors.ts';
import type { ChallengeSpec } from '../contract/sender.ts';

/**
 * Client authentication as the course notes teach it (seed 001, 验证客户端的合法性): on connect
 * the server sends `os.urandom(32)`; the client answers `md5(KEY + challenge).hexdigest()` (32
 * ASCII hex characters) or, the notes' commented variant, an HMAC of the challenge under the key
 * (here HMAC-SHA256, 64 hex characters); the server computes the same and compares. The hashing
 * needs node:crypto and lives in electron/services/sender/challenge.ts; what is pure is here.
 */

/** The challenge is 32 random bytes, as the notes' `os.urandom(32)`. */
export const challengeBytes = 32;

export const challengeAlgos = ['md5', 'hmac-sha256'] as const;

/** How many bytes the answer is: hex of a 16-byte MD5 or a 32-byte SHA-256. */
export function answerLength(algo: ChallengeSpec['algo']): number {
  return algo === 'md5' ? 32 : 64;
}

/**
 * `md5:KEY` or `hmac-sha256:KEY` (the CLI's `--challenge` and `--answer`, the scripts' `answer`
 * step). The key is everything after the first colon, so a key may itself contain colons.
 */
export function parseChallengeSpec(text: string, field = 'challenge'): ChallengeSpec {
  const colon = text.indexOf(':');
  const algo = colon < 0 ? text : text.slice(0, colon);
  const key = colon < 0 ? '' : text.slice(colon + 1);
  if (!(challengeAlgos as readonly string[]).includes(algo))
    throw new WirelabError('CHALLENGE_SPEC', `${field}: "${algo}" is not an algorithm; write md5:KEY or hmac-sha256:KEY`, field, { field, algo });
  if (key === '' || key.length > 1024)
    throw new WirelabError('CHALLENGE_SPEC', `${field}: the key after "${algo}:" must be 1–1024 characters`, field, { field, algo });
  return { algo: algo as ChallengeSpec['algo'], key };
}

/**
 * Takes the first `n` bytes off a stream that may arrive in pieces (the challenge, or its answer,
 * can share a recv() with what follows: the sticky-packet lesson again). `push` returns the bytes
 * after the prefix once it is complete — what the framing decodes next — or null while it is not.
 */
export class PrefixTaker {
  private readonly buf: Uint8Array;
  private got = 0;
  constructor(readonly n: number) {
    this.buf = new Uint8Array(n);
  }
  get done(): boolean {
    return this.got === this.n;
  }
  /** The prefix (complete once `done`). */
  get prefix(): Uint8Array {
    return this.buf.subarray(0, this.got);
  }
  push(chunk: Uint8Array): Uint8Array | null {
    if (this.done) return chunk;
    const take = Math.min(this.n - this.got, chunk.length);
    this.buf.set(chunk.subarray(0, take), this.got);
    this.got += take;
    return this.done ? chunk.subarray(take) : null;
  }
}

/**
 * The notes compare `code == code_cli` (the received bytes decoded as text). Same here, byte by
 * byte, in time that does not depend on where the first difference is, so a peer cannot learn
 * the answer one character at a time from how fast it is refused.
 */
export function sameAnswer(expected: Uint8Array, got: Uint8Array): boolean {
  let diff = expected.length ^ got.length;
  for (let i = 0; i < expected.length; i++) diff |= expected[i]! ^ (got[i] ?? 0);
  return diff === 0;
}
