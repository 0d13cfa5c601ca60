// The one family of domain errors; http/error-handler.ts maps each to a status.

export interface FieldIssue {
  field: string;
  message: string;
}

/**
 * Every code an AppError can carry. http/error-handler.ts maps each to a status through a
 * `Record<ErrorCode, …>`, so a new code does not compile until it has a status.
 */
export type ErrorCode =
  | 'validation_failed'
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'identity_conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'bot_check_failed';

export abstract class AppError extends Error {
  override name = 'AppError';
  abstract readonly code: ErrorCode;
}

/** Input that parsed but is not acceptable; names the offending fields. */
export class ValidationError extends AppError {
  override name = 'ValidationError';
  override readonly code = 'validation_failed';
  constructor(
    readonly issues: FieldIssue[],
    message = issues.map((i) => `${i.field}: ${i.message}`).join('; '),
  ) {
    super(message);
  }
}

/** Input that could not be read at all (malformed JSON, wrong content type). */
export class BadRequestError extends AppError {
  override name = 'BadRequestError';
  override readonly code = 'bad_request';
}

export class UnauthorizedError extends AppError {
  override name = 'UnauthorizedError';
  override readonly code = 'unauthorized';
}

export class ForbiddenError extends AppError {
  override name = 'ForbiddenError';
  override readonly code = 'forbidden';
}

export class NotFoundError extends AppError {
  override name = 'NotFoundError';
  override readonly code = 'not_found';
}

/** The path exists but not with this method; `allow` lists the methods it has (the `Allow` header). */
export class MethodNotAllowedError extends AppError {
  override name = 'MethodNotAllowedError';
  override readonly code = 'method_not_allowed';
  constructor(
    readonly allow: string[],
    message: string,
  ) {
    super(message);
  }
}

export class ConflictError extends AppError {
  override name = 'ConflictError';
  override readonly code = 'conflict';
}

/**
 * The identities given belong to other contacts: an email and a phone that point at two contacts,
 * or a phone whose contact has another email. Names every contact involved.
 */
export class IdentityConflictError extends AppError {
  override name = 'IdentityConflictError';
  override readonly code = 'identity_conflict';
  constructor(
    readonly contactIds: number[],
    message: string,
  ) {
    super(message);
  }
}

export class PayloadTooLargeError extends AppError {
  override name = 'PayloadTooLargeError';
  override readonly code = 'payload_too_large';
}

export class RateLimitedError extends AppError {
  override name = 'RateLimitedError';
  override readonly code = 'rate_limited';
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many requests; retry after ${retryAfterSeconds} s`);
  }
}

/**
 * A public subscribe that lacks a proof the form requires (the widget's proof of work, or a
 * Turnstile token), or whose proof is wrong, expired or already used. The message says which.
 */
export class BotCheckFailedError extends AppError {
  override name = 'BotCheckFailedError';
  override readonly code = 'bot_check_failed';
}

/** Turns anything thrown into an Error, keeping the original as `cause`. */
export function coerceError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === 'string' ? thrown : JSON.stringify(thrown), { cause: thrown });
}
