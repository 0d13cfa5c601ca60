// Gives each request an id (hono/request-id) and a child logger carrying it, for every log line.
import type { MiddlewareHandler } from 'hono';
import { requestId } from 'hono/request-id';
import type { Logger } from '../logger.ts';

declare module 'hono' {
  interface ContextVariableMap {
    /** The root logger's child for this request: every line it writes names the request id. */
    logger: Logger;
  }
}

const assignRequestId = requestId();

/** First middleware of the app: sets `requestId` (also sent as `X-Request-Id`) and `logger`. */
export function requestContext(logger: Logger): MiddlewareHandler {
  return async function requestContext(c, next) {
    await assignRequestId(c, async () => {
      c.set('logger', logger.child({ requestId: c.get('requestId') }));
      await next();
    });
  };
}
