// How a step failed, as types: the runtime retries a RetryableStepError and fails the run otherwise.
import { IdentityConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { ExpressionError } from './expressions/expression-error.ts';
import { WebhookError } from './steps/webhook.ts';

/** Another attempt cannot help (bad input, a refused target): the run fails with this message. */
export class PermanentStepError extends Error {
  override name = 'PermanentStepError';
}

/** Another attempt may succeed; `retryAfterMs` is the least delay the other side asked for. */
export class RetryableStepError extends Error {
  override name = 'RetryableStepError';
  readonly retryAfterMs: number | undefined;
  constructor(message: string, opts: { retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.retryAfterMs = opts.retryAfterMs;
  }
}

/**
 * Classifies anything a step threw, once. Expression, validation, identity and not-found errors are permanent; a
 * webhook says itself; anything else (a database hiccup) is worth retrying.
 */
export function toStepError(err: unknown): PermanentStepError | RetryableStepError {
  if (err instanceof PermanentStepError || err instanceof RetryableStepError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (
    err instanceof ExpressionError ||
    err instanceof ValidationError ||
    err instanceof IdentityConflictError ||
    err instanceof NotFoundError
  )
    return new PermanentStepError(message, { cause: err });
  if (err instanceof WebhookError) {
    return err.retryable
      ? new RetryableStepError(`webhook: ${message}`, {
          retryAfterMs: err.retryAfterMs,
          cause: err,
        })
      : new PermanentStepError(`webhook: ${message}`, { cause: err });
  }
  return new RetryableStepError(message, { cause: err });
}
