import { WirelabError } from '../../../../shared/contract/errors.ts';
import type { OpenSession } from '../../../../shared/contract/sender.ts';
import { parseEscaped } from '../../../../shared/sender/payload.ts';
import { encodeText } from '../text-codec.ts';
import { echoResponder, fixedResponder, rulesResponder } from './basic.ts';
import { answerPlan, coursePlan, withChallenge } from './course.ts';
import type { ResponderFactory } from './responder.ts';

/** What the service needs from a session to build its responders (log lines it cannot word itself). */
export interface ResponderEnv {
  /** A rule overran its deadline (1-based index): the service logs RULE_TIMEOUT and counts it. */
  onRuleTimeout(index: number, ms: number): void;
}

/**
 * How a session answers, decided once when it opens: the factory makes one responder per
 * connection (TCP) or peer (UDP). A plan may also change how incoming bodies are taken in:
 * serve-dir's download request carries no size (`missingSizeIsEmpty`), and its uploads go to
 * its own folder (`save`), whatever the session's save dir.
 */
export interface ResponderPlan {
  make: ResponderFactory;
  /** header-json: a header without the size key announces an empty body (instead of FRAME_BAD_HEADER). */
  missingSizeIsEmpty?: boolean;
  /** Stream bodies for which `when` holds (all when absent) into `dir` instead of memory. */
  save?: { dir: string; when?: (header: Record<string, unknown> | undefined) => boolean };
}

/** Text with escapes (`\r\n`, `\t`, `\xHH`, `\\`) as bytes in the session's encoding; a bad escape names the field. */
export function escapedBytes(text: string, encoding: 'utf8' | 'gbk', field: string): Uint8Array {
  return parseEscaped(text, (t) => encodeText(t, encoding), field);
}

/**
 * Picks the responder of a session from its spec; null when it does not answer. Echo, fixed and
 * rules are built here; the course's protocols (serve-dir, relay, http-dir, the challenge and
 * its answer) in course.ts.
 */
export function responderFactory(spec: OpenSession, env: ResponderEnv): ResponderPlan | null {
  if (spec.kind === 'tcp-client') return answerPlan(spec);
  // client authentication goes in front of whichever responder the session has (course.ts)
  return withChallenge(spec, basicPlan(spec, env) ?? coursePlan(spec));
}

function basicPlan(spec: Exclude<OpenSession, { kind: 'tcp-client' }>, env: ResponderEnv): ResponderPlan | null {
  switch (spec.reply) {
    case 'none':
      return null;
    case 'echo':
      return { make: echoResponder };
    case 'fixed':
      return { make: fixedResponder(escapedBytes(spec.replyText, spec.encoding, 'replyText')) };
    case 'rules':
      if (spec.rules.length === 0)
        throw new WirelabError('RULES_EMPTY', 'rules: add at least one rule, or choose another reply mode', 'rules', { field: 'rules' });
      return { make: rulesResponder(spec.rules, spec.encoding, env.onRuleTimeout) };
    case 'serve-dir':
    case 'relay':
    case 'http-dir':
      return null; // the course's protocols: course.ts
  }
}
