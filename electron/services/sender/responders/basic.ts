import { compileRules, replyFor, type ReplyRule } from '../../../../shared/sender/reply-rules.ts';
import { decodeText, encodeText, type Encoding } from '../text-codec.ts';
import type { Responder } from './responder.ts';

/** Echo: each message goes back as it came, framed with the outgoing framing. */
export const echoResponder = (): Responder => ({
  message: (m, ctx) => ctx.send(m.bytes),
});

/** One fixed reply to every message (its escapes already turned into bytes when the session opened). */
export const fixedResponder = (reply: Uint8Array) => (): Responder => ({
  message: (_m, ctx) => ctx.send(reply),
});

/**
 * The first rule that matches decides the reply (shared/sender/reply-rules.ts). The rules are
 * compiled once per session, so a rule turned off for overrunning its deadline (RULE_TIMEOUT)
 * is off for every connection.
 */
export function rulesResponder(rules: ReplyRule[], encoding: Encoding, onTimeout: (index: number, ms: number) => void): () => Responder {
  const compiled = compileRules(rules);
  return () => ({
    message: (m, ctx) => {
      const r = replyFor(compiled, decodeText(m.bytes, encoding), { onTimeout });
      if (r !== null) ctx.send(encodeText(r, encoding));
    },
  });
}
