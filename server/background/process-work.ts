// Starts the background work a role runs, and the wake-ups its commits send to itself and its peers.
import { type Config, retentionPolicy } from '../config.ts';
import type { DialectCapabilities } from '../db/dialect.ts';
import type { DB } from '../db/open-database.ts';
import type { Wakeups } from '../db/unit-of-work.ts';
import type { WorkKind, WorkSignals } from '../db/work-signals.ts';
import { BounceMailbox } from '../deliverability/feedback/bounce-mailbox.ts';
import { WorkflowEngine } from '../engine/engine.ts';
import { ImportWorker } from '../imports/import-worker.ts';
import type { ImportRunner } from '../imports/run-import.ts';
import type { Logger } from '../logger.ts';
import { MailSender } from '../mail/sender.ts';
import { devMailboxTransport, smtpTransport } from '../mail/transports.ts';
import { type Role, runsWork } from './process-role.ts';
import { pruneExpiredLoop } from './workers/prune-expired.ts';
import { retentionLoop } from './workers/retention.ts';

export interface ProcessWorkDeps {
  config: Config;
  logger: Logger;
  db: DB;
  dialect: DialectCapabilities;
  secretKey: string;
  /** This process's identity for claims (background/worker-registry.ts). */
  workerId: string;
  signals: WorkSignals;
}

export interface ProcessWork {
  /** Wakes this process's loops when it runs them, else signals the processes that do. */
  wakeups: Wakeups;
  /** Loaded in every role (the API lists workflows); its loop runs only where work runs. */
  engine: WorkflowEngine;
  /** Runs `?sync=true` imports in the request, held by this process's worker id. */
  importRunner: ImportRunner;
  /** The mail sender, where work runs. */
  mailer: MailSender | undefined;
  /** The mail transport in use (`smtp` or `dev-mailbox`), or none in a web process. */
  mailTransport: string | undefined;
  /** The SMTP receiver for DSN and ARF reports, where work runs and BOUNCE_SMTP_PORT is set. */
  bounceMailbox: BounceMailbox | undefined;
  /** Lets every loop finish its pass, then stops it (claims stay until the registry stops). */
  stop(): Promise<void>;
}

/** Domain for Message-IDs: the sender's, else the public host. */
function messageIdDomain(config: Config): string {
  return /@([^>\s]+)>?\s*$/.exec(config.MAIL_FROM)?.[1] ?? new URL(config.PUBLIC_URL).hostname;
}

/**
 * @example const work = await startProcessWork('all', deps); … await work.stop();
 */
export async function startProcessWork(role: Role, deps: ProcessWorkDeps): Promise<ProcessWork> {
  const { config, logger, db, dialect, signals } = deps;
  const working = runsWork(role);
  const local: Record<WorkKind, () => void> = {
    mail: () => {},
    engine: () => {},
    imports: () => {},
  };
  // A process that runs the work wakes its own loops; only a web process needs its peers. Waking
  // every peer on every commit made each subscribe cost a pass in every process.
  const wake = (kind: WorkKind) => (working ? local[kind]() : signals.notify(kind));
  const wakeups: Wakeups = {
    mail: () => wake('mail'),
    engine: () => wake('engine'),
    imports: () => wake('imports'),
  };
  const transport = !working
    ? undefined
    : config.SMTP_URL
      ? smtpTransport(config.SMTP_URL, { dkim: config.dkim })
      : devMailboxTransport(db);
  const mailer =
    transport &&
    new MailSender({
      db,
      dialect,
      transport,
      from: config.MAIL_FROM,
      messageIdDomain: messageIdDomain(config),
      publicUrl: config.PUBLIC_URL,
      secretKey: deps.secretKey,
      timings: config.timings,
      logger: logger.child({ module: 'mail' }),
      workerId: deps.workerId,
      tracking: config.TRACKING,
      ...(config.BOUNCE_ADDRESS ? { bounceAddress: config.BOUNCE_ADDRESS } : {}),
    });
  const engine = new WorkflowEngine({
    db,
    dialect,
    logger: logger.child({ module: 'engine' }),
    workflowsDir: config.WORKFLOWS_DIR,
    publicUrl: config.PUBLIC_URL,
    secretKey: deps.secretKey,
    timings: config.timings,
    allowPrivateWebhooks: config.WEBHOOK_ALLOW_PRIVATE,
    wakeMailer: wakeups.mail,
    workerId: deps.workerId,
  });
  const importer = new ImportWorker({
    db,
    dialect,
    logger: logger.child({ module: 'imports' }),
    timings: config.timings,
    workerId: deps.workerId,
    wakeups,
  });
  const pruner = working ? pruneExpiredLoop(db, logger.child({ module: 'prune' })) : undefined;
  const retention = working
    ? retentionLoop({
        db,
        dialect,
        policy: retentionPolicy(config),
        loadedVersionIds: () => engine.status().workflows.map((w) => w.versionId),
        logger: logger.child({ module: 'retention' }),
        everyMs: config.timings.retentionEveryMs,
      })
    : undefined;
  const bounceMailbox =
    working && config.BOUNCE_SMTP_PORT !== undefined && config.BOUNCE_ADDRESS
      ? new BounceMailbox({
          host: config.BOUNCE_SMTP_HOST,
          port: config.BOUNCE_SMTP_PORT,
          bounceAddress: config.BOUNCE_ADDRESS,
          secretKey: deps.secretKey,
          ctx: { db, wakeups },
          logger: logger.child({ module: 'bounce-mailbox' }),
        })
      : undefined;

  if (mailer) {
    local.mail = () => mailer.wake();
    local.engine = () => engine.wake();
    local.imports = () => importer.wake();
    mailer.start();
    await engine.start();
    importer.start();
    pruner?.start();
    retention?.start();
    await bounceMailbox?.start();
    await signals.listen((kind) => local[kind]());
  } else {
    await engine.load();
  }

  return {
    wakeups,
    engine,
    importRunner: importer.importRunner,
    mailer,
    mailTransport: transport?.kind,
    bounceMailbox,
    stop: async () => {
      await bounceMailbox?.stop();
      await importer.stop();
      await engine.stop();
      await pruner?.stop();
      await retention?.stop();
      await mailer?.stop();
    },
  };
}
