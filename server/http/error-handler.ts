// Maps the domain error family (and framework errors) to HTTP responses, in one place.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ZodError } from 'zod';
import {
  AppError,
  type ErrorCode,
  type FieldIssue,
  IdentityConflictError,
  MethodNotAllowedError,
  RateLimitedError,
  ValidationError,
} from '../errors.ts';
import type { Logger } from '../logger.ts';
import { html, page } from './html.ts';

export interface ErrorBody {
  error: {
    code: ErrorCode | 'internal';
    message: string;
    /** Matches the `X-Request-Id` header and the log lines of the request. */
    requestId?: string;
    issues?: FieldIssue[];
    contactIds?: number[];
  };
}

const fieldName = (path: PropertyKey[]) => (path.length ? path.join('.') : '(body)');

/**
 * One issue per field. Zod reports unknown keys together at their object ('Unrecognized keys: "a",
 * "b"'); each becomes its own issue at the key, keeping a message the schema set itself.
 */
export function zodIssues(error: ZodError): FieldIssue[] {
  return error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((key) => ({
          field: fieldName([...i.path, key]),
          message: i.message.startsWith('Unrecognized key') ? 'unknown key' : i.message,
        }))
      : [{ field: fieldName(i.path), message: i.message }],
  );
}

/** A status for every code: adding a code to ErrorCode does not compile until it is listed here. */
const statusByCode: Record<ErrorCode, ContentfulStatusCode> = {
  validation_failed: 422,
  identity_conflict: 422,
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  // Well-formed input without the proof the form asks for: refused, not invalid (which is 422).
  bot_check_failed: 403,
};

/** Every code, for the OpenAPI error schema; complete because `statusByCode` must be. */
export const errorCodes = Object.keys(statusByCode) as ErrorCode[];

/** Framework errors (Hono's validators, body limit) carry a status but no code. */
function codeOfStatus(status: number): ErrorCode {
  const entry = Object.entries(statusByCode).find(([, s]) => s === status);
  return (entry?.[0] as ErrorCode | undefined) ?? 'bad_request';
}

/** Turns anything thrown by a handler into a status and a body that never leaks internals. */
export function describeError(err: unknown): { status: ContentfulStatusCode; body: ErrorBody } {
  const appError = err instanceof ZodError ? new ValidationError(zodIssues(err)) : err;
  if (appError instanceof AppError) {
    const body: ErrorBody = { error: { code: appError.code, message: appError.message } };
    if (appError instanceof ValidationError) body.error.issues = appError.issues;
    if (appError instanceof IdentityConflictError) {
      body.error.contactIds = appError.contactIds;
    }
    return { status: statusByCode[appError.code], body };
  }
  if (err instanceof HTTPException && err.status < 500) {
    const status = err.status as ContentfulStatusCode;
    const code = codeOfStatus(status);
    return { status, body: { error: { code, message: err.message || 'Bad request' } } };
  }
  return { status: 500, body: { error: { code: 'internal', message: 'Internal server error' } } };
}

/** Browsers posting the no-JS form want a page, everyone else JSON. */
function wantsHtml(c: Context): boolean {
  if (c.req.path.startsWith('/api/')) return false;
  const accept = c.req.header('accept') ?? '';
  return accept.includes('text/html') && !accept.includes('application/json');
}

export function errorHandler(rootLogger: Logger) {
  return function onError(err: unknown, c: Context) {
    const { status, body } = describeError(err);
    const requestId = c.get('requestId');
    if (requestId) body.error.requestId = requestId;
    if (status >= 500) {
      const logger = c.get('logger') ?? rootLogger;
      logger.error({ err, path: c.req.path, method: c.req.method }, 'request failed');
    }
    if (err instanceof RateLimitedError) c.header('Retry-After', String(err.retryAfterSeconds));
    if (err instanceof MethodNotAllowedError) c.header('Allow', err.allow.join(', '));
    if (body.error.code === 'unauthorized') c.header('WWW-Authenticate', 'Bearer');
    // The rest of a refused body is still on the wire: the connection cannot carry a next request.
    if (status === 413) c.header('Connection', 'close');
    if (wantsHtml(c)) {
      return c.html(
        page(
          'Something went wrong',
          html`<h1>Sorry</h1><p>${body.error.message}</p>${
            requestId ? html`<p class="muted">Reference: ${requestId}</p>` : ''
          }`,
        ),
        status,
      );
    }
    return c.json(body, status);
  };
}
