// `GET /healthz`: the process is up and reaches its database; served by every role.
import { Hono } from 'hono';
import type { DB } from '../db/open-database.ts';

export function healthRoutes(db: DB): Hono {
  return new Hono().get('/healthz', async (c) => {
    await db.selectFrom('settings').select('key').limit(1).execute();
    return c.json({ status: 'ok' });
  });
}

/**
 * A worker process's whole HTTP surface: orchestrators probe /healthz; anything else is a 404, so
 * a worker put behind the load balancer by mistake is noticed at once.
 */
export function healthOnlyApp(db: DB): Hono {
  const app = new Hono();
  app.route('/', healthRoutes(db));
  app.notFound((c) =>
    c.json({ error: { code: 'not_found', message: 'a worker process serves only /healthz' } }, 404),
  );
  return app;
}
