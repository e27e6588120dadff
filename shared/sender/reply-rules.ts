import { RE2JS } from 're2js';
import { z } from 'zod';
import { ErrorCode, WirelabError } from '../contract/errors.ts';

/**
 * Auto-reply rules for Wirelab's servers: the first rule that matches an incoming message decides
 * the reply. Regex replies may use captured groups ($1, $2, $<name>), which Packet Sender's
 * "smart responses" cannot.
 *
 * Regexes run on RE2 (re2js), not on JavaScript's backtracking engine: RE2 matches in time
 * linear in the input, so a pattern such as `^(a+)+$` against "aaaa…a!" — which stops a
 * backtracking engine for seconds (catastrophic backtracking, OWASP "ReDoS") — costs
 * microseconds. The price is RE2's syntax: no backreferences and no lookaround.
 */
export const replyRuleSchema = z.object({
  match: z.enum(['exact', 'prefix', 'contains', 'regex']),
  pattern: z.string().min(1, 'pattern: type what to match').max(1000),
  reply: z.string().max(65536),
});
export type ReplyRule = z.infer<typeof replyRuleSchema>;

/** A rule that ran longer than this on one message is turned off for the session (RULE_TIMEOUT). */
export const ruleDeadlineMs = 100;

/**
 * Regex rules answer messages up to 64 Ki characters; a longer message skips them (as if they
 * did not match — cutting it would make `$` match where the message does not end). RE2 is
 * linear but, in JavaScript, runs at roughly 10 MB/s on patterns with groups: a 16 MiB message
 * would hold the host for over a second; 64 Ki characters take a few milliseconds.
 */
export const ruleRegexChars = 65536;

/** Why RE2 refuses a pattern, in words for the user; null when it compiles. */
export function regexProblem(pattern: string): string | null {
  try {
    RE2JS.compile(pattern);
    return null;
  } catch (e) {
    const why = (e as Error).message.replace(/^error parsing regexp: /, '');
    if (/\\[1-9]|\\k<|invalid escape sequence: `\\[1-9k]/.test(pattern) && /escape/.test(why)) {
      return `backreferences such as \\1 are not supported: rules run on a linear-time engine (RE2), so that no message can freeze the server (${why})`;
    }
    if (/\(\?<?[=!]/.test(pattern)) {
      return `lookahead and lookbehind are not supported: rules run on a linear-time engine (RE2), so that no message can freeze the server (${why})`;
    }
    return `not a valid regular expression (${why})`;
  }
}

/**
 * The one check of a rule list, used by the contract's schema (so the UI and the CLI show the
 * same words) and again when a server compiles its rules. Fields are 1-based as the UI shows them.
 */
export function rulesProblem(rules: readonly ReplyRule[], field = 'rules'): { field: string; message: string } | null {
  for (const [i, rule] of rules.entries()) {
    if (rule.match !== 'regex') continue;
    const problem = regexProblem(rule.pattern);
    if (problem) return { field: `${field}[${i + 1}].pattern`, message: problem };
  }
  return null;
}

export interface CompiledRule {
  rule: ReplyRule;
  regex: RE2JS | null;
  /** Set once the rule overran its deadline; it then answers nothing. */
  timedOut: boolean;
}

/** Compiles once when the server starts; a pattern RE2 refuses is reported with its index. */
export function compileRules(rules: ReplyRule[], field = 'rules'): CompiledRule[] {
  const problem = rulesProblem(rules, field);
  if (problem) throw new WirelabError(ErrorCode.invalidInput, `${problem.field}: ${problem.message}`, problem.field);
  return rules.map((rule) => ({ rule, regex: rule.match === 'regex' ? RE2JS.compile(rule.pattern) : null, timedOut: false }));
}

/** $1, $<name>, $& and $$ in a reply, filled from a match (String.prototype.replace's rules). */
function expand(reply: string, group: (g: number | string) => string | null, groups: number): string {
  return reply.replace(/\$(\$|&|<([^>]*)>|(\d{1,2}))/g, (whole, what: string, name: string | undefined, num: string | undefined) => {
    if (what === '$') return '$';
    if (what === '&') return group(0) ?? '';
    if (name !== undefined) {
      try {
        return group(name) ?? '';
      } catch {
        return whole;
      }
    }
    // "$12" is group 12 when there is one, else group 1 followed by "2" (as in JavaScript)
    const digits = num!;
    if (digits.length === 2 && Number(digits) >= 1 && Number(digits) <= groups) return group(Number(digits)) ?? '';
    const n = Number(digits[0]);
    if (n >= 1 && n <= groups) return (group(n) ?? '') + digits.slice(1);
    return whole;
  });
}

export interface RuleTiming {
  /** Called when a rule overran `ruleDeadlineMs` (it is then off); `index` is 1-based. */
  onTimeout?: (index: number, ms: number) => void;
  now?: () => number;
}

/** The reply for one message, or null when no rule matches. */
export function replyFor(rules: CompiledRule[], message: string, timing: RuleTiming = {}): string | null {
  const now = timing.now ?? (() => performance.now());
  for (const [i, c] of rules.entries()) {
    if (c.timedOut) continue;
    const { rule, regex } = c;
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
        if (message.length > ruleRegexChars) break;
        // Linear time, but a 16 MiB message still takes a while: a rule that overruns its
        // deadline once is turned off, so the next such message cannot hold the host again.
        const t0 = now();
        const m = regex!.matcher(message);
        const found = m.find();
        const ms = now() - t0;
        if (ms > ruleDeadlineMs) {
          c.timedOut = true;
          timing.onTimeout?.(i + 1, ms);
          break;
        }
        if (found) return expand(rule.reply, (g) => m.group(g as never), m.groupCount());
        break;
      }
    }
  }
  return null;
}
