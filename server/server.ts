// Starts Subflow: database and migrations, the role's background work and the HTTP listener.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { createApp } from './app.ts';
import { assertRoleFits, type Role, servesHttp } from './background/process-role.ts';
import { startProcessWork } from './background/process-work.ts';
import { WorkerRegistry } from './background/worker-registry.ts';
import type { Config } from './config.ts';
import { migrateToLatest } from './db/migrate.ts';
import { type OpenDatabase, openDatabase } from './db/open-database.ts';
import type { Wakeups } from './db/unit-of-work.ts';
import { openWorkSignals, WORK_KINDS } from './db/work-signals.ts';
import type { WorkflowEngine } from './engine/engine.ts';
import { ensureDefaultForm } from './forms/forms-store.ts';
import { healthOnlyApp } from './http/health-routes.ts';
import type { Logger } from './logger.ts';
import type { MailSender } from './mail/sender.ts';
import { serveMetrics } from './metrics/metrics-routes.ts';
import { loadSecretKey } from './settings/secret-key.ts';

export interface RunningServer {
  url: string;
  /** The app behind the listener: its routes are what tests compare with the OpenAPI document. */
  app: Hono;
  port: number;
  role: Role;
  database: OpenDatabase;
  engine: WorkflowEngine;
  /** The mail sender; none in a web process. */
  mailer: MailSender | undefined;
  /** Wakes the mail sender, the engine or the importer, here and in peers (after commits). */
  wakeups: Wakeups;
  /** Base URL of the METRICS_PORT listener, when there is one. */
  metricsUrl: string | undefined;
  /** The port of the SMTP receiver for DSN and ARF reports, when BOUNCE_SMTP_PORT is set. */
  bounceMailboxPort: number | undefined;
  /**
   * Stops accepting connections, lets in-flight requests and background passes finish, releases
   * this process's claims, closes the DB.
   */
  close(): Promise<void>;
}

export interface StartOptions {
  /** `subflow serve --role`; default `all`. */
  role?: Role;
}

export async function startServer(
  config: Config,
  logger: Logger,
  opts: StartOptions = {},
): Promise<RunningServer> {
  const role = opts.role ?? 'all';
  assertRoleFits(role, config.DATABASE_URL);
  const database = openDatabase(config.DATABASE_URL, { poolSize: config.DATABASE_POOL_SIZE });
  const { db, dialect } = database;
  // Processes starting at once: the migrator's lock lets one migrate while the others wait, and
  // the default form and the secret key are inserted with ON CONFLICT DO NOTHING.
  const applied = await migrateToLatest(db, dialect);
  if (applied.length) logger.info({ migrations: applied }, 'database migrated');
  await ensureDefaultForm(db);
  const secretKey = await loadSecretKey(db, config.SECRET_KEY);

  const signals = await openWorkSignals({
    database,
    url: config.DATABASE_URL,
    logger: logger.child({ module: 'signals' }),
  });
  let wakeAll = () => {};
  // Registered before anything claims work, so no claim is ever held by an unknown worker.
  const worker = await WorkerRegistry.start({
    db,
    logger: logger.child({ module: 'worker' }),
    heartbeatMs: config.timings.workerHeartbeatMs,
    staleMs: config.timings.workerStaleMs,
    // A dead peer's released rows are due now: whichever worker is idle should take them.
    onReleased: () => wakeAll(),
  });
  const work = await startProcessWork(role, {
    config,
    logger,
    db,
    dialect,
    secretKey,
    workerId: worker.id,
    signals,
  });
  const { wakeups, engine } = work;
  wakeAll = () => {
    for (const kind of WORK_KINDS) wakeups[kind]();
  };

  const app = servesHttp(role)
    ? createApp({
        db,
        dialect,
        config,
        logger,
        secretKey,
        wakeups,
        engine,
        importRunner: work.importRunner,
      })
    : healthOnlyApp({ db, config, logger });

  // Handlers can outlive their connection (a client that went away); the database must outlive them.
  let inFlight = 0;
  const fetch: typeof app.fetch = async (request, env, ctx) => {
    inFlight++;
    try {
      return await app.fetch(request, env, ctx);
    } finally {
      inFlight--;
    }
  };
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch, port: config.PORT, hostname: config.HOST }, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${port}`;
  logger.info({ url, role, database: dialect.name, mail: work.mailTransport }, 'subflow listening');
  const metricsPort = config.METRICS_PORT;
  const metricsListener =
    metricsPort === undefined
      ? undefined
      : await serveMetrics({ db, config: { ...config, METRICS_PORT: metricsPort }, logger });

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      // Idle keep-alive sockets would hold close() open; in-flight requests still finish.
      if ('closeIdleConnections' in server) server.closeIdleConnections();
      const grace = setTimeout(() => {
        if ('closeAllConnections' in server) server.closeAllConnections();
      }, config.timings.shutdownGraceMs);
      await drained;
      clearTimeout(grace);
      const deadline = Date.now() + config.timings.shutdownGraceMs;
      while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      await work.stop();
      // What this process held is free now; peers that idle would otherwise see it at their poll.
      if ((await worker.stop()) > 0) for (const kind of WORK_KINDS) signals.notify(kind);
      await signals.close();
      await metricsListener?.close();
      await database.close();
      logger.info('subflow stopped');
    })();
    return closing;
  };
  return {
    url,
    app,
    port,
    role,
    database,
    engine,
    mailer: work.mailer,
    wakeups,
    metricsUrl: metricsListener?.url,
    bounceMailboxPort: work.bounceMailbox?.port,
    close,
  };
}
