// Retention: old events, sent mail, mail activities, consents of erased contacts and finished runs go, in batches.
import { pruneErasedConsents } from '../../contacts/consents.ts';
import type { DialectCapabilities } from '../../db/dialect.ts';
import type { PruneWindow } from '../../db/id-window.ts';
import type { DB } from '../../db/open-database.ts';
import { pruneActivities } from '../../deliverability/activities/prune-activities.ts';
import { pruneFinishedRuns, pruneUnusedVersions } from '../../engine/runs-store/prune-runs.ts';
import { pruneEvents } from '../../events/prune-events.ts';
import type { Logger } from '../../logger.ts';
import { pruneDevMail } from '../../mail/forget-dev-mail.ts';
import { pruneMail } from '../../mail/outbox/prune-mail.ts';
import { retentionDeletes } from '../../metrics/counters.ts';
import { BackgroundLoop } from '../loop.ts';

const DAY_MS = 24 * 3600_000;
/** Rows per statement: each batch is its own short transaction, never one long one. */
export const RETENTION_BATCH = 1000;

/** Days each kind of row is kept; 0 keeps it forever. */
export interface RetentionPolicy {
  eventsDays: number;
  mailDays: number;
  activitiesDays: number;
  consentsDays: number;
  runsDays: number;
}

export type RetentionKind = 'events' | 'mail' | 'activities' | 'consents' | 'runs';

export interface RetentionOptions {
  db: DB;
  dialect: DialectCapabilities;
  policy: RetentionPolicy;
  /** Versions the engine of this process has loaded: never deleted, even with no run. */
  loadedVersionIds: () => number[];
  batch?: number;
  /** Ends a pass between two batches (shutdown need not wait for a long backlog). */
  signal?: AbortSignal;
}

/**
 * better-sqlite3 runs each statement synchronously: without a turn of the event loop between
 * batches, a long backlog would hold every request for the whole pass.
 */
const yieldToRequests = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * One batch in its own transaction, holding a lock named for its kind (an advisory lock on
 * PostgreSQL; SQLite has one writer anyway): two processes pruning at once take turns batch by
 * batch instead of deleting the same rows in different orders, which could deadlock.
 */
function batchOf<T>(db: DB, dialect: DialectCapabilities, kind: RetentionKind) {
  return (work: (trx: DB) => Promise<T>): Promise<T> =>
    db.transaction().execute(async (trx) => {
      await dialect.lockIdentities(trx, [`retention:${kind}`]);
      return work(trx);
    });
}

/** Walks a table by id windows until a window reaches rows newer than the cut-off. */
async function walk(
  signal: AbortSignal | undefined,
  prune: (afterId: number) => Promise<PruneWindow>,
): Promise<number> {
  let deleted = 0;
  let afterId = 0;
  for (;;) {
    const window = await prune(afterId);
    deleted += window.deleted;
    if (window.reachedRecent || window.lastId === undefined || signal?.aborted) return deleted;
    afterId = window.lastId;
    await yieldToRequests();
  }
}

/** Repeats a batch until one deletes fewer rows than the batch size. */
async function untilShort(
  signal: AbortSignal | undefined,
  batch: number,
  prune: () => Promise<number>,
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const n = await prune();
    deleted += n;
    if (n < batch || signal?.aborted) return deleted;
    await yieldToRequests();
  }
}

/**
 * One pass over every kind whose retention is not 0; returns how many rows of each went.
 * Safe with several processes: every statement deletes only what is old and finished at that
 * moment, so running it twice at once only repeats work.
 * @example await applyRetention({ db, dialect, policy, loadedVersionIds: () => [] }, Date.now())
 */
export async function applyRetention(
  opts: RetentionOptions,
  now: number,
): Promise<Record<RetentionKind, number>> {
  const { db, dialect, policy, signal } = opts;
  const limit = opts.batch ?? RETENTION_BATCH;
  const cutoff = (days: number) => now - days * DAY_MS;
  const deleted: Record<RetentionKind, number> = {
    events: 0,
    mail: 0,
    activities: 0,
    consents: 0,
    runs: 0,
  };

  if (policy.eventsDays > 0) {
    const inBatch = batchOf<PruneWindow>(db, dialect, 'events');
    const before = cutoff(policy.eventsDays);
    deleted.events = await walk(signal, (afterId) =>
      inBatch((trx) => pruneEvents(trx, { before, afterId, limit })),
    );
  }
  if (policy.mailDays > 0) {
    const inBatch = batchOf<PruneWindow>(db, dialect, 'mail');
    const before = cutoff(policy.mailDays);
    deleted.mail = await walk(signal, (afterId) =>
      inBatch((trx) => pruneMail(trx, { before, afterId, limit })),
    );
    await untilShort(signal, limit, () => pruneDevMail(db, { before, limit }));
  }
  if (policy.activitiesDays > 0) {
    const inBatch = batchOf<number>(db, dialect, 'activities');
    const before = cutoff(policy.activitiesDays);
    deleted.activities = await untilShort(signal, limit, () =>
      inBatch((trx) => pruneActivities(trx, { before, limit })),
    );
  }
  if (policy.consentsDays > 0) {
    const inBatch = batchOf<number>(db, dialect, 'consents');
    const erasedBefore = cutoff(policy.consentsDays);
    deleted.consents = await untilShort(signal, limit, () =>
      inBatch((trx) => pruneErasedConsents(trx, { erasedBefore, limit })),
    );
  }
  if (policy.runsDays > 0) {
    const inBatch = batchOf<number>(db, dialect, 'runs');
    const before = cutoff(policy.runsDays);
    deleted.runs = await untilShort(signal, limit, () =>
      inBatch((trx) => pruneFinishedRuns(trx, { finishedBefore: before, limit })),
    );
    await inBatch((trx) =>
      pruneUnusedVersions(trx, { storedBefore: before, loaded: opts.loadedVersionIds() }),
    );
  }
  for (const [kind, n] of Object.entries(deleted)) if (n) retentionDeletes.inc({ kind }, n);
  return deleted;
}

/**
 * A loop that applies retention every `everyMs` (and once at start); stopping ends a pass between
 * two batches.
 * @example const loop = retentionLoop({ ...opts, logger, everyMs: 600_000 }); loop.start();
 */
export function retentionLoop(
  opts: Omit<RetentionOptions, 'signal'> & { logger: Logger; everyMs: number },
): { start(): void; stop(): Promise<void> } {
  const stopping = new AbortController();
  const loop = new BackgroundLoop({
    name: 'retention',
    logger: opts.logger,
    pass: async () => {
      const deleted = await applyRetention({ ...opts, signal: stopping.signal }, Date.now());
      if (Object.values(deleted).some((n) => n > 0)) opts.logger.info({ deleted }, 'retention');
      return false;
    },
    idleMs: () => opts.everyMs,
  });
  return {
    start: () => loop.start(),
    stop: () => {
      stopping.abort();
      return loop.stop();
    },
  };
}
