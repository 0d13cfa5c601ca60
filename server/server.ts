// Starts Subflow: config, database and migrations, the background loops and the HTTP listener.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { createApp } from './app.ts';
import { WorkerRegistry } from './background/worker-registry.ts';
import { pruneExpiredLoop } from './background/workers/prune-expired.ts';
import { retentionLoop } from './background/workers/retention.ts';
import { type Config, retentionPolicy } from './config.ts';
import { migrateToLatest } from './db/migrate.ts';
import { type OpenDatabase, openDatabase } from './db/open-database.ts';
import type { VerbContext, Wakeups } from './db/unit-of-work.ts';
import { BounceMailbox } from './deliverability/feedback/bounce-mailbox.ts';
import { WorkflowEngine } from './engine/engine.ts';
import { ensureDefaultForm } from './forms/forms-store.ts';
import { ImportWorker } from './imports/import-worker.ts';
import type { Logger } from './logger.ts';
import { MailSender } from './mail/sender.ts';
import { devMailboxTransport, smtpTransport } from './mail/transports.ts';
import { serveMetrics } from './metrics/metrics-routes.ts';
import { loadSecretKey } from './settings/secret-key.ts';

export interface RunningServer {
  url: string;
  /** The app behind the listener: its routes are what tests compare with the OpenAPI document. */
  app: Hono;
  port: number;
  database: OpenDatabase;
  mailer: MailSender;
  engine: WorkflowEngine;
  /** Wakes the mail sender or the engine (verbs do so after their commits). */
  wakeups: Wakeups;
  /** Base URL of the METRICS_PORT listener, when there is one. */
  metricsUrl: string | undefined;
  /** The SMTP receiver for DSN and ARF reports, when BOUNCE_SMTP_PORT is set. */
  bounceMailbox: BounceMailbox | undefined;
  /** Stops accepting connections, lets in-flight requests finish, stops the sender, closes the DB. */
  close(): Promise<void>;
}

/** Domain for Message-IDs: the sender's, else the public host. */
function messageIdDomain(config: Config): string {
  return /@([^>\s]+)>?\s*$/.exec(config.MAIL_FROM)?.[1] ?? new URL(config.PUBLIC_URL).hostname;
}

async function startBounceMailbox(config: Config, ctx: VerbContext, logger: Logger) {
  if (config.BOUNCE_SMTP_PORT === undefined) return undefined;
  const mailbox = new BounceMailbox({
    host: config.BOUNCE_SMTP_HOST,
    port: config.BOUNCE_SMTP_PORT,
    ctx,
    logger: logger.child({ module: 'bounce-mailbox' }),
  });
  await mailbox.start();
  return mailbox;
}

export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const database = openDatabase(config.DATABASE_URL);
  const { db, dialect } = database;
  const applied = await migrateToLatest(db, dialect);
  if (applied.length) logger.info({ migrations: applied }, 'database migrated');
  await ensureDefaultForm(db);
  const secretKey = await loadSecretKey(db, config.SECRET_KEY);

  // Registered before anything claims work, so no claim is ever held by an unknown worker.
  const worker = await WorkerRegistry.start({
    db,
    logger: logger.child({ module: 'worker' }),
    heartbeatMs: config.timings.workerHeartbeatMs,
    staleMs: config.timings.workerStaleMs,
  });
  const transport = config.SMTP_URL
    ? smtpTransport(config.SMTP_URL, { dkim: config.dkim, bounceAddress: config.BOUNCE_ADDRESS })
    : devMailboxTransport(db);
  const mailer = new MailSender({
    db,
    dialect,
    transport,
    from: config.MAIL_FROM,
    messageIdDomain: messageIdDomain(config),
    publicUrl: config.PUBLIC_URL,
    secretKey,
    timings: config.timings,
    logger: logger.child({ module: 'mail' }),
    workerId: worker.id,
    tracking: config.TRACKING,
  });
  mailer.start();

  const engine = new WorkflowEngine({
    db,
    dialect,
    logger: logger.child({ module: 'engine' }),
    workflowsDir: config.WORKFLOWS_DIR,
    publicUrl: config.PUBLIC_URL,
    secretKey,
    timings: config.timings,
    allowPrivateWebhooks: config.WEBHOOK_ALLOW_PRIVATE,
    wakeMailer: () => mailer.wake(),
    workerId: worker.id,
  });
  await engine.start();
  const pruner = pruneExpiredLoop(db, logger.child({ module: 'prune' }));
  pruner.start();
  const retention = retentionLoop({
    db,
    dialect,
    policy: retentionPolicy(config),
    loadedVersionIds: () => engine.status().workflows.map((w) => w.versionId),
    logger: logger.child({ module: 'retention' }),
    everyMs: config.timings.retentionEveryMs,
  });
  retention.start();
  const baseWakeups = { mail: () => mailer.wake(), engine: () => engine.wake() };
  const importer = new ImportWorker({
    db,
    dialect,
    logger: logger.child({ module: 'imports' }),
    timings: config.timings,
    workerId: worker.id,
    wakeups: { ...baseWakeups, imports: () => importer.wake() },
  });
  importer.start();
  const wakeups = { ...baseWakeups, imports: () => importer.wake() };
  const bounceMailbox = await startBounceMailbox(config, { db, wakeups }, logger);

  const app = createApp({
    db,
    dialect,
    config,
    logger,
    secretKey,
    wakeups,
    engine,
    importRunner: importer.importRunner,
  });

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
  logger.info({ url, database: dialect.name, mail: transport.kind }, 'subflow listening');
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
      await bounceMailbox?.stop();
      await importer.stop();
      await engine.stop();
      await pruner.stop();
      await retention.stop();
      await mailer.stop();
      await worker.stop();
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
    database,
    mailer,
    engine,
    wakeups,
    metricsUrl: metricsListener?.url,
    bounceMailbox,
    close,
  };
}
