// GET /metrics in Prometheus text: this process's counters and timings, and the database's queues.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { Registry } from 'prom-client';
import type { Config } from '../config.ts';
import type { DB } from '../db/open-database.ts';
import { UnauthorizedError } from '../errors.ts';
import { errorHandler } from '../http/error-handler.ts';
import type { Logger } from '../logger.ts';
import { QueueGauges } from './queue-gauges.ts';
import { collectRuntimeMetrics, processMetrics } from './registry.ts';

export type MetricsConfig = Pick<Config, 'METRICS' | 'METRICS_PORT' | 'METRICS_TOKEN' | 'HOST'>;

/** Where /metrics is served: nowhere (the default), on the main port, or on METRICS_PORT alone. */
export function metricsServing(config: MetricsConfig): 'off' | 'main' | 'own-port' {
  if (config.METRICS_PORT !== undefined) return 'own-port';
  return config.METRICS ? 'main' : 'off';
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * The figures name no person, but they show an outsider how busy the service is and when its mail
 * lags; METRICS_TOKEN makes the endpoint ask for `Authorization: Bearer <token>`.
 * @example app.route('/', metricsRoutes({ db, config, logger }))
 */
export function metricsRoutes(deps: { db: DB; config: MetricsConfig; logger: Logger }): Hono {
  collectRuntimeMetrics();
  const gauges = new QueueGauges(deps.db);
  const expected = deps.config.METRICS_TOKEN && digest(`Bearer ${deps.config.METRICS_TOKEN}`);
  const app = new Hono();
  app.get('/metrics', async (c) => {
    if (expected && !timingSafeEqual(digest(c.req.header('authorization') ?? ''), expected)) {
      throw new UnauthorizedError('/metrics needs Authorization: Bearer <METRICS_TOKEN>');
    }
    try {
      await gauges.refresh(Date.now());
    } catch (err) {
      // The process's own figures still tell something while the database does not answer.
      deps.logger.warn({ err }, 'metrics: reading the queues from the database failed');
      gauges.markDatabaseDown();
    }
    const registry = Registry.merge([processMetrics, gauges.registry]);
    c.header('content-type', registry.contentType);
    return c.body(await registry.metrics());
  });
  return app;
}

/** METRICS_PORT: /metrics on a listener of its own (and nothing else there). */
export async function serveMetrics(deps: {
  db: DB;
  config: MetricsConfig & { METRICS_PORT: number };
  logger: Logger;
}): Promise<{ url: string; close(): Promise<void> }> {
  const app = new Hono();
  app.onError(errorHandler(deps.logger));
  app.route('/', metricsRoutes(deps));
  const { HOST: hostname, METRICS_PORT: port } = deps.config;
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port, hostname }, () => resolve(s));
    s.once('error', reject);
  });
  const host = hostname.includes(':') ? `[${hostname}]` : hostname;
  const url = `http://${host}:${(server.address() as AddressInfo).port}`;
  deps.logger.info({ url: `${url}/metrics` }, 'metrics listening');
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}
