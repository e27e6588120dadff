import { z } from 'zod';
import { ErrorCode, WirelabError } from '../contract/errors.ts';
import { limitedArray, limitedString, limits } from '../contract/limits.ts';
import { framingByName, framingNames, framingSchema, type Framing } from '../sender/framing.ts';
import { parseEscaped, parseHex, utf8Encode } from '../sender/payload.ts';
import { regexProblem } from '../sender/reply-rules.ts';
import { parseChallengeSpec } from '../sender/challenge.ts';

/**
 * Send→expect scripts (issue 13, item 5): steps on one connection — send, expect text / a
 * regex / bytes within a timeout, wait, answer a challenge, save the next body — run once or N
 * times. The format is a public interface (README "Scripts"): its keys are the issue's.
 *
 * Pure: the runner (electron/services/scripts/) owns the socket; this file owns the format, its
 * one validation (used by the CLI, the contract and the GUI's editor) and the step semantics
 * that need no socket (what a step's payload is, what a step waits for).
 */

/** A framing by its CLI name (`"len32le"`) or spelled out (`{"kind": "header-json", "sizeKey": "filesize"}`). */
const frameSchema = z.union([z.enum(framingNames), framingSchema], {
  error: () => `a framing: one of ${framingNames.join(', ')}, or an object such as {"kind": "header-json", "sizeKey": "filesize"}`,
});

const hostSchema = z.string().trim().min(1, 'type a host name or an address').max(253);

export const scriptConnectSchema = z
  .object({
    kind: z.enum(['tcp', 'udp']),
    host: hostSchema,
    port: z.number().int().min(1, 'a port from 1 to 65535').max(65535, 'a port from 1 to 65535'),
    /** Both directions; `frameIn` (what the peer sends) and `frameOut` (what the script sends) override it. */
    frame: frameSchema.default('raw'),
    frameIn: frameSchema.optional(),
    frameOut: frameSchema.optional(),
    encoding: z.enum(['utf8', 'gbk']).default('utf8'),
    /** How long the TCP connect may take. */
    timeoutMs: z.number().int().min(100).max(120_000).default(5000),
  })
  .strict();

/** A step waits at most this long unless it says otherwise (`timeoutMs`). */
export const defaultStepTimeoutMs = 2000;

/** The keys a step may have; exactly one of `actionKeys` says what it does. */
export const actionKeys = ['send', 'expect', 'expectRegex', 'expectHex', 'wait', 'answer', 'save'] as const;
export type ActionKey = (typeof actionKeys)[number];

/** `md5:KEY` or `hmac-sha256:KEY`, parsed as `--answer` and `--challenge` are (shared/sender/challenge.ts). */
export const parseChallengeText = (text: string, field = 'answer') => parseChallengeSpec(text, field);

export const scriptStepSchema = z
  .object({
    send: z.string().max(65536).optional(),
    /** How `send` is written: plain text (default), hex (`01 02 ff`) or escapes (`hi\r\n`, `\xff`). */
    as: z.enum(['text', 'hex', 'escaped']).optional(),
    /** header-json out: fields of the JSON header beside the size key (the FTP homework's operate / filename). */
    header: z.record(z.string().max(64), z.union([z.string().max(4096), z.number(), z.boolean(), z.null()])).optional(),
    expect: z.string().min(1, 'the text to wait for').max(65536).optional(),
    expectRegex: z.string().min(1, 'a pattern').max(1000).optional(),
    expectHex: z.string().min(1, 'the bytes to wait for, in hex').max(65536).optional(),
    wait: z.number().int().min(0).max(600_000, 'at most 600000 ms').optional(),
    answer: z.string().optional(),
    save: z.string().trim().min(1, 'a folder').max(4096).optional(),
    timeoutMs: z.number().int().min(1, 'at least 1 ms').max(600_000, 'at most 600000 ms').optional(),
  })
  .strict()
  .superRefine((step, ctx) => {
    const present = actionKeys.filter((k) => step[k] !== undefined);
    if (present.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: present.length ? [present[1]!] : [],
        params: present.length ? { rule: 'one-action', keys: present.join(', ') } : { rule: 'no-action' },
        message: present.length
          ? `a step does one thing; this one has ${present.join(' and ')} (split it into ${present.length} steps)`
          : `a step needs one action key: ${actionKeys.join(', ')}`,
      });
      return;
    }
    if (step.as !== undefined && step.send === undefined) ctx.addIssue({ code: 'custom', path: ['as'], message: '"as" belongs to a send step' });
    if (step.header !== undefined && step.send === undefined) ctx.addIssue({ code: 'custom', path: ['header'], message: '"header" belongs to a send step' });
    const problem = (key: string, f: () => void) => {
      try {
        f();
      } catch (e) {
        // the payload parsers name their field; keep only the rule
        ctx.addIssue({ code: 'custom', path: [key], message: (e as Error).message.replace(/^[\w.[\]]+: /, '') });
      }
    };
    if (step.send !== undefined && step.as === 'hex') problem('send', () => parseHex(step.send!, 'send'));
    if (step.send !== undefined && step.as === 'escaped') problem('send', () => parseEscaped(step.send!, utf8Encode, 'send'));
    if (step.expectHex !== undefined) problem('expectHex', () => parseHex(step.expectHex!, 'expectHex'));
    if (step.expectRegex !== undefined) {
      const why = regexProblem(step.expectRegex);
      if (why)
        ctx.addIssue({
          code: 'custom',
          path: ['expectRegex'],
          message: why.replace('so that no message can freeze the server', 'so that no reply can freeze the runner'),
        });
    }
    if (step.answer !== undefined) problem('answer', () => parseChallengeText(step.answer!));
  });
export type ScriptStep = z.infer<typeof scriptStepSchema>;

/** The most rounds a script may ask for (`repeat`). */
export const scriptRepeatMax = 10_000;

export const scriptSchema = z
  .object({
    connect: scriptConnectSchema,
    /** The steps run this many times, on the same connection. */
    repeat: z.number().int().min(1, 'at least 1').max(scriptRepeatMax, 'at most 10000').default(1),
    steps: limitedArray(scriptStepSchema, 'scriptSteps', 'steps', 'steps in a script').refine((s) => s.length > 0, 'a script needs at least one step'),
  })
  .strict();
export type Script = z.infer<typeof scriptSchema>;

/** The script as the contract carries it (the editor's JSON text). */
export const scriptTextSchema = limitedString('scriptChars', 'script', 'of script');

/** `steps[3].expect`: a zod path as a student reads it in the JSON (array indexes from 0, as the JSON counts them). */
export function scriptPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || 'script';
}

/** One problem of a script: the field (`steps[3].expect`) and the rule. */
export interface ScriptProblem {
  field: string;
  /** The English, for the CLI and logs. */
  message: string;
  /** What the editor words in the user's language (`script.problem.<rule>`); `other` shows the English. */
  rule: 'not-json' | 'too-long' | 'unknown-key' | 'one-action' | 'no-action' | 'other';
  params?: Record<string, string | number>;
}

/** Every problem of a script's text, for the editor (empty when it runs). */
export function scriptProblems(text: string): ScriptProblem[] {
  if (text.length > limits.scriptChars)
    return [
      { field: 'script', rule: 'too-long', message: `at most ${limits.scriptChars.toLocaleString('en-US')} characters`, params: { max: limits.scriptChars } },
    ];
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return [{ field: 'script', rule: 'not-json', message: `not JSON (${(e as Error).message})` }];
  }
  const parsed = scriptSchema.safeParse(json);
  if (parsed.success) return [];
  return parsed.error.issues.map((i): ScriptProblem => {
    if (i.code === 'unrecognized_keys') {
      // name the stray key itself (a typo such as "sned"), and what the object accepts
      const known =
        i.path.at(-2) === 'steps'
          ? [...actionKeys, 'as', 'header', 'timeoutMs']
          : i.path[0] === 'connect'
            ? Object.keys(scriptConnectSchema.shape)
            : Object.keys(scriptSchema.shape);
      return {
        field: scriptPath([...i.path, i.keys[0]!]),
        rule: 'unknown-key',
        message: `not a key of the format; use ${known.join(', ')}`,
        params: { known: known.join(', ') },
      };
    }
    const custom = i.code === 'custom' ? ((i.params ?? {}) as { rule?: ScriptProblem['rule']; keys?: string }) : {};
    const rule = custom.rule ?? 'other';
    return { field: scriptPath(i.path), rule, message: i.message, ...(rule === 'one-action' ? { params: { keys: String(custom.keys) } } : {}) };
  });
}

/** The script in a text, or INVALID_INPUT naming the first problem's field (`steps[3].expect: …`). */
export function parseScript(text: string): Script {
  const first = scriptProblems(text)[0];
  if (first) throw new WirelabError(ErrorCode.invalidInput, `${first.field}: ${first.message}`, first.field, { field: first.field });
  return scriptSchema.parse(JSON.parse(text));
}

/** The framings of each direction, resolved from the names. */
export function scriptFramings(c: Script['connect']): { framingIn: Framing; framingOut: Framing } {
  const resolve = (f: Script['connect']['frame']): Framing => (typeof f === 'string' ? framingByName(f) : f);
  return { framingIn: resolve(c.frameIn ?? c.frame), framingOut: resolve(c.frameOut ?? c.frame) };
}

/** What a step does, with its payload or target in bytes (the text encoder is the runner's: GBK needs iconv). */
export type StepAction =
  | { action: 'send'; bytes: Uint8Array; header?: Record<string, unknown> }
  | { action: 'expect'; bytes: Uint8Array; shown: string }
  | { action: 'expectRegex'; pattern: string }
  | { action: 'wait'; ms: number }
  | { action: 'answer'; algo: 'md5' | 'hmac-sha256'; key: string }
  | { action: 'save'; dir: string };

export function stepAction(step: ScriptStep, encode: (text: string) => Uint8Array): StepAction {
  if (step.send !== undefined) {
    const bytes = step.as === 'hex' ? parseHex(step.send, 'send') : step.as === 'escaped' ? parseEscaped(step.send, encode, 'send') : encode(step.send);
    return step.header ? { action: 'send', bytes, header: step.header } : { action: 'send', bytes };
  }
  if (step.expect !== undefined) return { action: 'expect', bytes: encode(step.expect), shown: step.expect };
  if (step.expectHex !== undefined) return { action: 'expect', bytes: parseHex(step.expectHex, 'expectHex'), shown: step.expectHex };
  if (step.expectRegex !== undefined) return { action: 'expectRegex', pattern: step.expectRegex };
  if (step.wait !== undefined) return { action: 'wait', ms: step.wait };
  if (step.answer !== undefined) return { action: 'answer', ...parseChallengeText(step.answer) };
  return { action: 'save', dir: step.save! };
}

/** Where `needle` starts in `hay` at or after `from`, or -1. */
export function indexOfBytes(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  if (needle.length === 0) return from <= hay.length ? from : -1;
  outer: for (let i = from; i <= hay.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** One step's result, as `wirelab run --json` prints it (a public interface). */
export const stepResultSchema = z.object({
  /** The step's index in `steps` (from 0, as `steps[3]` names it). */
  step: z.number().int(),
  /** Which pass of `repeat` (from 1). */
  round: z.number().int(),
  action: z.enum(actionKeys),
  ok: z.boolean(),
  ms: z.number(),
  /** Why it failed, as `steps[3].expect: …`; null when it passed. */
  error: z.string().nullable(),
  code: z.string().nullable(),
  /** What arrived, when the step read something (a preview of at most 4 KiB as text). */
  got: z.string().optional(),
});
export type StepResult = z.infer<typeof stepResultSchema>;

export const scriptRunSchema = z.object({ ok: z.boolean(), ms: z.number(), steps: z.array(stepResultSchema) });
export type ScriptRun = z.infer<typeof scriptRunSchema>;
