// Times every HTTP request into a histogram by method, route pattern and status.
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { Histogram } from 'prom-client';
import { processMetrics } from './registry.ts';

const requestDuration = new Histogram({
  name: 'subflow_http_request_duration_seconds',
  help: 'HTTP requests by method, route pattern and status, with their latency',
  labelNames: ['method', 'route', 'status'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [processMetrics],
});

/**
 * The pattern of the route that answered (`/api/v1/contacts/:id`), never the raw path, so every
 * id does not become a series of its own. Middleware and catch-alls are registered for any
 * method (`ALL`); the first route of the request's own method is the one that answered it, and a
 * request no route took (a 404, a 405) is `unmatched`.
 */
function routeOf(c: Context): string {
  const method = c.req.method === 'HEAD' ? 'GET' : c.req.method;
  return matchedRoutes(c).find((r) => r.method === method)?.path ?? 'unmatched';
}

/** First middleware of the app, so the time covers all the others. */
export function recordRequests(): MiddlewareHandler {
  return async function recordRequests(c, next) {
    const started = performance.now();
    let status = 500;
    try {
      await next();
      status = c.res.status;
    } finally {
      requestDuration.observe(
        { method: c.req.method, route: routeOf(c), status: String(status) },
        (performance.now() - started) / 1000,
      );
    }
  };
}
