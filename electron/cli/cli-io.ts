import { WirelabError } from '../../shared/contract/errors.ts';
import { checkPort } from '../../shared/sender/endpoint.ts';

/** Where a command writes; tests pass buffers, the real CLI passes the process streams. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** Resolves when the user asks the command to stop (Ctrl+C, SIGTERM) or a test says so. */
  stopSignal: Promise<void>;
}

/** A mistake in what the user typed: one line to stderr, exit code 2, never a stack trace. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A port flag (`--port`), checked by the same shared check the forms and the dispatcher use; 0 = any free port. */
export function parsePort(value: string | undefined, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  try {
    return checkPort(value, field, true);
  } catch (e) {
    const outOfRange = e instanceof WirelabError && e.code === 'PORT_RANGE';
    throw new UsageError(`${field} must be a whole number from 0 to 65535, not ${outOfRange ? Number(value) : `"${value}"`}`);
  }
}
