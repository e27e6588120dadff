import type { z } from 'zod';
import {
  commands,
  ErrorCode,
  isCommandName,
  WirelabError,
  type CommandInput,
  type CommandName,
  type CommandOutput,
  type Commands,
  type InvokeResult,
  type WirelabErrorData,
} from '../../shared/contract/index.ts';
import { limitOfIssue } from '../../shared/contract/limits.ts';
import type { Logger } from './logger.ts';

export type CommandHandler<C extends CommandName> = (input: z.output<Commands[C]['input']>) => Promise<CommandOutput<C>> | CommandOutput<C>;

/** A handler for every command: the type makes a missing one a compile error. */
export type Handlers = { [C in CommandName]: CommandHandler<C> };

/**
 * Turns the first zod issue into a message that names the field and the rule. An issue of one of
 * `shared/contract/limits.ts`'s limits becomes LIMIT_EXCEEDED with params {limit, max}, so a
 * request that is merely too big is told which limit it hit rather than that it is malformed.
 */
export function validationError(error: z.ZodError, prefix = 'input'): WirelabErrorData {
  const issue = error.issues[0];
  if (!issue) return { code: ErrorCode.invalidInput, message: `${prefix} is not valid` };
  const field = issue.path.length > 0 ? issue.path.map(String).join('.') : prefix;
  const limit = limitOfIssue(issue);
  // The limit's message already names the field as the user knows it ("file", "payload").
  if (limit) return { code: ErrorCode.limitExceeded, message: issue.message, field, params: { ...limit, field } };
  const last = issue.path.length > 0 ? String(issue.path[issue.path.length - 1]) : prefix;
  // Messages written as "pid: …" already name their field; do not say it twice.
  const named = issue.message.startsWith(`${field}: `) || issue.message.startsWith(`${last}: `);
  return { code: ErrorCode.invalidInput, message: named ? issue.message : `${field}: ${issue.message}`, field, params: { field } };
}

/**
 * The single entry point both transports call. It never throws: bad input, unknown commands
 * and service failures all come back as `{ ok: false, error }` so no request can crash the host.
 */
export class Dispatcher {
  constructor(
    private readonly handlers: Handlers,
    private readonly log: Logger,
  ) {}

  /** Typed entry for in-process callers (the CLI, tests); transports use `invoke`. */
  call<C extends CommandName>(command: C, input: CommandInput<C>): Promise<InvokeResult<CommandOutput<C>>> {
    return this.invoke(command, input) as Promise<InvokeResult<CommandOutput<C>>>;
  }

  async invoke(command: unknown, input: unknown): Promise<InvokeResult<unknown>> {
    if (!isCommandName(command)) {
      return {
        ok: false,
        error: { code: ErrorCode.unknownCommand, message: `Unknown command: ${String(command).slice(0, 80)}` },
      };
    }
    const spec = commands[command];
    const parsed = spec.input.safeParse(input ?? {});
    if (!parsed.success) return { ok: false, error: validationError(parsed.error) };
    try {
      const handler = this.handlers[command] as (i: unknown) => unknown;
      const value = await handler(parsed.data);
      // Checking the output too catches a service that drifted from the contract before the UI does.
      const out = spec.output.safeParse(value);
      if (!out.success) {
        this.log.error('dispatcher', `${command} returned a value outside the contract`, out.error.issues[0]);
        return { ok: false, error: { code: ErrorCode.internal, message: `${command}: the service returned an unexpected result` } };
      }
      return { ok: true, value: out.data };
    } catch (err) {
      if (err instanceof WirelabError) return { ok: false, error: err.toData() };
      this.log.error('dispatcher', `${command} failed`, err);
      const message = err instanceof Error ? err.message : String(err);
      return { ok: false, error: { code: ErrorCode.internal, message: `${command} failed: ${message}` } };
    }
  }
}
