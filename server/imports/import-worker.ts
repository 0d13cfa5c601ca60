// The import worker loop: claims one session at a time with a lease and runs it to the end.
import { BackgroundLoop } from '../background/loop.ts';
import type { Timings } from '../config.ts';
import type { DialectCapabilities } from '../db/dialect.ts';
import type { DB } from '../db/open-database.ts';
import type { Wakeups } from '../db/unit-of-work.ts';
import type { Logger } from '../logger.ts';
import { type ImportRunner, runImport } from './run-import.ts';
import { dropChunks } from './store/import-chunks.ts';
import { claimImport, failAbandonedUploads } from './store/import-sessions.ts';

export interface ImportWorkerOptions {
  db: DB;
  dialect: DialectCapabilities;
  logger: Logger;
  timings: Timings;
  workerId: string;
  /** Wakes the engine after a chunk appended events (eventKeyForNewContacts). */
  wakeups: Wakeups;
}

/**
 * Polls every `importPollMs` as a backstop (how one process picks up an import queued by another);
 * a new import wakes it at once. A session it claims is held until done, its lease renewed by
 * every chunk; a process that dies leaves it to the next claim once the registry releases it.
 */
export class ImportWorker {
  private readonly loop: BackgroundLoop;
  private stopping = false;
  private readonly runner: ImportRunner;

  constructor(private readonly opts: ImportWorkerOptions) {
    this.runner = {
      db: opts.db,
      wakeups: opts.wakeups,
      logger: opts.logger,
      workerId: opts.workerId,
      leaseMs: opts.timings.importLeaseMs,
      retryMs: opts.timings.importRetryMs,
      maxAttempts: opts.timings.importMaxAttempts,
      stopping: () => this.stopping,
    };
    this.loop = new BackgroundLoop({
      name: 'import worker',
      logger: opts.logger,
      pass: () => this.pass(),
      idleMs: () => opts.timings.importPollMs,
      minIntervalMs: 10,
    });
  }

  /** What `?sync=true` runs a session it holds with, in the request. */
  get importRunner(): ImportRunner {
    return this.runner;
  }

  start(): void {
    this.loop.start();
  }

  wake(): void {
    this.loop.wake();
  }

  /** Lets the chunk in progress commit, then stops; the session resumes at its offset elsewhere. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop.stop();
  }

  /** One session claimed and run; true when another may be waiting. */
  private async pass(): Promise<boolean> {
    const { db, dialect, timings } = this.opts;
    const now = Date.now();
    const abandoned = await failAbandonedUploads(db, now - timings.importUploadStaleMs, now);
    if (abandoned.length > 0) {
      await dropChunks(db, abandoned);
      this.opts.logger.warn({ imports: abandoned }, 'uploads abandoned while storing rows: failed');
    }
    const session = await claimImport(db, dialect, {
      now,
      leaseMs: timings.importLeaseMs,
      workerId: this.opts.workerId,
    });
    if (!session) return false;
    this.opts.logger.info({ importId: session.id, from: session.processed }, 'import claimed');
    await runImport(this.runner, session);
    return !this.stopping;
  }
}
