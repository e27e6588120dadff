import type { ChallengeSpec } from '../../../../shared/contract/sender.ts';
import { answerLength, challengeBytes, PrefixTaker } from '../../../../shared/sender/challenge.ts';
import { answerFor, checkAnswer, newChallenge } from '../challenge.ts';
import type { IncomingMessage, Responder, ResponderContext, ResponderFactory } from './responder.ts';

const empty = new Uint8Array(0);
const refusal = new TextEncoder().encode('authentication failed\n');

/**
 * Client authentication in front of any other responder (seed 001, 验证客户端的合法性): on
 * connect the server sends 32 random bytes raw; the client's first bytes, raw whatever the
 * session's framing (the notes' `conn.recv(32)`), are its answer, compared as the notes compare
 * `code == code_cli`. Right: a notice, and the inner responder goes on with the bytes after the
 * answer. Wrong: "authentication failed" to the peer, a notice, the connection closed.
 */
export function challengeFactory(spec: ChallengeSpec, inner: ResponderFactory | null): ResponderFactory {
  return (): Responder => {
    const next = inner?.() ?? null;
    const answer = new PrefixTaker(answerLength(spec.algo));
    let challenge: Uint8Array = empty;
    let state: 'waiting' | 'passed' | 'refused' = 'waiting';
    return {
      open(ctx: ResponderContext) {
        challenge = newChallenge();
        ctx.sendRaw(challenge);
        ctx.note('CHALLENGE_SENT', `sent a ${challengeBytes}-byte challenge; waiting for the ${spec.algo} answer`, { algo: spec.algo });
      },
      take(chunk: Uint8Array, ctx: ResponderContext): Uint8Array {
        if (state === 'passed') return next?.take ? next.take(chunk, ctx) : chunk;
        if (state === 'refused') return empty;
        const rest = answer.push(chunk);
        if (rest === null) return empty;
        if (!checkAnswer(spec, challenge, answer.prefix)) {
          state = 'refused';
          ctx.sendRaw(refusal);
          ctx.close('CHALLENGE_FAILED', `the ${spec.algo} answer is wrong (another key?): told the client and closing`, { algo: spec.algo });
          return empty;
        }
        state = 'passed';
        ctx.note('CHALLENGE_PASSED', `the ${spec.algo} answer is right: the client is authenticated`, { algo: spec.algo });
        next?.open?.(ctx);
        return next?.take ? next.take(rest, ctx) : rest;
      },
      message(m: IncomingMessage, ctx: ResponderContext) {
        if (state === 'passed') return next?.message(m, ctx);
      },
      close(ctx: ResponderContext) {
        if (state === 'passed') next?.close?.(ctx);
      },
    };
  };
}

/**
 * The client's side (`answer` on a tcp-client session, `wirelab send --answer md5:KEY`): the
 * first 32 bytes from the server are the challenge; the answer goes back raw at once, and what
 * follows the challenge is the session's to decode.
 */
export function answerFactory(spec: ChallengeSpec): ResponderFactory {
  return (): Responder => {
    const challenge = new PrefixTaker(challengeBytes);
    return {
      take(chunk: Uint8Array, ctx: ResponderContext): Uint8Array {
        if (challenge.done) return chunk;
        const rest = challenge.push(chunk);
        if (rest === null) return empty;
        ctx.sendRaw(answerFor(spec, challenge.prefix));
        ctx.note('CHALLENGE_ANSWERED', `answered the server's ${challengeBytes}-byte challenge with ${spec.algo}`, { algo: spec.algo });
        return rest;
      },
      message() {},
    };
  };
}
