// `GET /healthz`: the process is up and reaches its database; served by every role.
import { Hono } from 'hono';
import type { DB } from '../db/open-database.ts';
import type { Logger } from '../logger.ts';
import { type MetricsConfig, metricsRoutes, metricsServing } from '../metrics/metrics-routes.ts';
import { errorHandler } from './error-handler.ts';

export function healthRoutes(db: DB): Hono {
  return new Hono().get('/healthz', async (c) => {
    await db.selectFrom('settings').select('key').limit(1).execute();
    return c.json({ status: 'ok' });
  });
}

/**
 * A worker process's whole HTTP surface: orchestrators probe /healthz (and Prometheus /metrics,
 * when METRICS=true); anything else is a 404, so a worker put behind the load balancer by mistake
 * is noticed at once.
 */
export function healthOnlyApp(deps: { db: DB; config: MetricsConfig; logger: Logger }): Hono {
  const app = new Hono();
  app.onError(errorHandler(deps.logger));
  app.route('/', healthRoutes(deps.db));
  if (metricsServing(deps.config) === 'main') app.route('/', metricsRoutes(deps));
  app.notFound((c) =>
    c.json(
      {
        error: { code: 'not_found', message: 'a worker process serves only /healthz and /metrics' },
      },
      404,
    ),
  );
  return app;
}
