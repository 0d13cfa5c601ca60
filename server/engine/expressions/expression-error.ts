// The one error of expressions (a bad source, or a failed evaluation) and how cel-js errors become it.

type ErrorCode = 'syntax' | 'type' | 'missing_key' | 'evaluation' | 'result' | 'limit';

/** A bad expression (at compile time) or a failed evaluation; `offset` is 0-based into `expression`. */
export class ExpressionError extends Error {
  override name = 'ExpressionError';
  readonly code: ErrorCode;
  /** The message without the position, e.g. "Unexpected token: PLUS". */
  readonly summary: string;
  readonly expression: string;
  readonly offset: number | undefined;

  constructor(
    summary: string,
    opts: { code: ErrorCode; expression: string; offset?: number; cause?: unknown },
  ) {
    const where = opts.offset === undefined ? 'in' : `at character ${opts.offset + 1} of`;
    super(`${summary} ${where} ${JSON.stringify(opts.expression)}`, { cause: opts.cause });
    this.code = opts.code;
    this.summary = summary;
    this.expression = opts.expression;
    this.offset = opts.offset;
  }
}

type CelError = Error & { code?: string; summary?: string; range?: { start: number } };

function isCelError(err: unknown): err is CelError {
  return err instanceof Error && typeof (err as CelError).code === 'string';
}

/**
 * An absent event param (EmailAddress is omitted when only a phone was given) is a missing key
 * too: params are free-form, so a name cannot be known to be a typo.
 */
export const isMissingKey = (err: unknown): boolean =>
  isCelError(err) && (err.code === 'no_such_key' || err.code === 'unknown_variable');

/** Any error thrown while parsing, checking or evaluating `expression`, as an ExpressionError. */
export function fromCelError(err: unknown, expression: string, code: ErrorCode): ExpressionError {
  if (err instanceof ExpressionError) return err;
  if (!isCelError(err)) {
    return new ExpressionError(String((err as Error)?.message ?? err), {
      code,
      expression,
      cause: err,
    });
  }
  return new ExpressionError(err.summary ?? err.message, {
    code: isMissingKey(err) ? 'missing_key' : err.code === 'limit_exceeded' ? 'limit' : code,
    expression,
    offset: err.range?.start,
    cause: err,
  });
}
