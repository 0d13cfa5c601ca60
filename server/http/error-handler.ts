// Maps the domain error family (and framework errors) to HTTP responses, in one place.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ZodError } from 'zod';
import {
  AppError,
  BadRequestError,
  ConflictError,
  type FieldIssue,
  ForbiddenError,
  IdentityConflictError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitedError,
  UnauthorizedError,
  ValidationError,
} from '../errors.ts';
import type { Logger } from '../logger.ts';
import { html, page } from './html.ts';

export interface ErrorBody {
  error: {
    code: string;
    message: string;
    issues?: FieldIssue[];
    contactIds?: number[];
  };
}

export function zodIssues(error: ZodError): FieldIssue[] {
  return error.issues.map((i) => ({
    field: i.path.length ? i.path.join('.') : '(body)',
    message: i.message,
  }));
}

function statusOf(error: AppError): ContentfulStatusCode {
  if (error instanceof ValidationError || error instanceof IdentityConflictError) return 422;
  if (error instanceof BadRequestError) return 400;
  if (error instanceof UnauthorizedError) return 401;
  if (error instanceof ForbiddenError) return 403;
  if (error instanceof NotFoundError) return 404;
  if (error instanceof ConflictError) return 409;
  if (error instanceof PayloadTooLargeError) return 413;
  if (error instanceof RateLimitedError) return 429;
  return 400;
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
    return { status: statusOf(appError), body };
  }
  if (err instanceof HTTPException && err.status < 500) {
    const status = err.status as ContentfulStatusCode;
    const code =
      status === 413 ? 'payload_too_large' : status === 401 ? 'unauthorized' : 'bad_request';
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

export function errorHandler(logger: Logger) {
  return function onError(err: unknown, c: Context) {
    const { status, body } = describeError(err);
    if (status >= 500)
      logger.error({ err, path: c.req.path, method: c.req.method }, 'request failed');
    if (err instanceof RateLimitedError) c.header('Retry-After', String(err.retryAfterSeconds));
    if (err instanceof UnauthorizedError) c.header('WWW-Authenticate', 'Bearer');
    if (wantsHtml(c)) {
      return c.html(
        page('Something went wrong', html`<h1>Sorry</h1><p>${body.error.message}</p>`),
        status,
      );
    }
    return c.json(body, status);
  };
}
