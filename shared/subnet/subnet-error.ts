import { ErrorCode, WirelabError } from '../contract/errors.ts';

/**
 * A mistake in what the user typed, named precisely: `rule` says which rule broke (the UI
 * translates by it) and `message` says it in English for the CLI. "Invalid" alone is never
 * the answer — a student should learn what was wrong.
 */
export class SubnetError extends WirelabError {
  constructor(
    readonly rule: string,
    message: string,
    field: string,
    override readonly params: Record<string, string | number> = {},
  ) {
    super(ErrorCode.invalidInput, message, field, params);
    this.name = 'SubnetError';
  }
}
