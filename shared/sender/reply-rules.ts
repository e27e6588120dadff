import { z } from 'zod';
import { ErrorCode, WirelabError } from '../contract/errors.ts';

/**
 * Auto-reply rules for Wirelab's servers: the first rule that matches an incoming message decides
 * the reply. Regex replies may use captured groups ($1, $2, $<name>), which Packet Sender's
 * "smart responses" cannot.
 */
export const replyRuleSchema = z.object({
  match: z.enum(['exact', 'prefix', 'contains', 'regex']),
  pattern: z.string().min(1, 'pattern: type what to match').max(1000),
  reply: z.string().max(65536),
});
export type ReplyRule = z.infer<typeof replyRuleSchema>;

export interface CompiledRule {
  rule: ReplyRule;
  regex: RegExp | null;
}

/** Compiles once when the server starts; a broken regex is reported with its index. */
export function compileRules(rules: ReplyRule[], field = 'rules'): CompiledRule[] {
  return rules.map((rule, i) => {
    if (rule.match !== 'regex') return { rule, regex: null };
    try {
      return { rule, regex: new RegExp(rule.pattern, 'u') };
    } catch (e) {
      throw new WirelabError(ErrorCode.invalidInput, `${field}[${i + 1}].pattern: not a valid regular expression (${(e as Error).message})`, `${field}[${i + 1}].pattern`);
    }
  });
}

/** The reply for one message, or null when no rule matches. */
export function replyFor(rules: CompiledRule[], message: string): string | null {
  for (const { rule, regex } of rules) {
    switch (rule.match) {
      case 'exact':
        if (message === rule.pattern) return rule.reply;
        break;
      case 'prefix':
        if (message.startsWith(rule.pattern)) return rule.reply;
        break;
      case 'contains':
        if (message.includes(rule.pattern)) return rule.reply;
        break;
      case 'regex': {
        const m = regex!.exec(message);
        // String.prototype.replace's own $1 / $<name> rules, applied to the matched part only.
        if (m) return m[0].replace(regex!, rule.reply);
        break;
      }
    }
  }
  return null;
}
