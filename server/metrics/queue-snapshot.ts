// What /metrics reads from the database at scrape time: queue depths, lags, imports, heartbeats.
import { type SelectQueryBuilder, sql } from 'kysely';
import type { DB } from '../db/open-database.ts';
import type { Database } from '../db/schema.ts';

/**
 * Counts stop here, so a scrape during a large backlog stays an index range of bounded length: a
 * gauge at this value means "at least this many".
 */
const COUNT_CAP = 100_000;
/** Active imports and workers listed at most, each a labelled series. */
const LIST_CAP = 100;

export interface QueueSnapshot {
  outboxPending: number;
  /** ms since the oldest mail that is due became due; 0 when none is due. */
  outboxOldestDueAgeMs: number;
  runsWaiting: number;
  runsDue: number;
  /** ms since the run that has waited longest for its due step became due; 0 when none is due. */
  runsOldestDueAgeMs: number;
  eventsUndispatched: number;
  /** ms since the oldest event not yet dispatched to workflows was appended; 0 when none. */
  eventsOldestUndispatchedAgeMs: number;
  imports: { id: number; status: string; total: number; processed: number }[];
  workers: { id: string; host: string; heartbeatAt: number; startedAt: number }[];
}

/** `select count(*) from (rows limit cap)`: the count of a bounded range. */
async function cappedCount<TB extends keyof Database>(
  db: DB,
  rows: SelectQueryBuilder<Database, TB, { one: number }>,
): Promise<number> {
  const { n } = await db
    .selectFrom(rows.limit(COUNT_CAP).as('capped'))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(n);
}

const one = sql<number>`1`.as('one');

const ageMs = (now: number, since: unknown) =>
  since === null || since === undefined ? 0 : Math.max(0, now - Number(since));

/**
 * One snapshot per scrape, one query after the other (a scrape takes one pooled connection, never
 * the pool), each served by an index in a bounded range: the outbox's and the runs' due indexes,
 * the partial index of undispatched events, the imports' status index, the small workers table.
 * @example const s = await readQueueSnapshot(db, Date.now()); s.outboxPending
 */
export async function readQueueSnapshot(db: DB, now: number): Promise<QueueSnapshot> {
  const pendingMail = db.selectFrom('outbox').where('status', '=', 'pending');
  const outboxPending = await cappedCount(db, pendingMail.select(one));
  const mailDue = await pendingMail
    .where('next_attempt_at', '<=', now)
    .select((eb) => eb.fn.min('next_attempt_at').as('since'))
    .executeTakeFirst();

  const runsWaiting = await cappedCount(
    db,
    db.selectFrom('workflow_runs').where('status', '=', 'waiting').select(one),
  );
  const dueRuns = db
    .selectFrom('workflow_runs')
    .where('status', 'in', ['running', 'waiting'])
    .where('due_at', '<=', now);
  const runsDue = await cappedCount(db, dueRuns.select(one));
  const runDue = await dueRuns.select((eb) => eb.fn.min('due_at').as('since')).executeTakeFirst();

  const undispatched = db.selectFrom('events').where('dispatched_at', 'is', null);
  const eventsUndispatched = await cappedCount(db, undispatched.select(one));
  const oldestEvent = await undispatched
    .select('created_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();

  const imports = await db
    .selectFrom('imports')
    .select(['id', 'status', 'total', 'processed'])
    .where('status', 'in', ['receiving', 'queued', 'running'])
    .orderBy('id')
    .limit(LIST_CAP)
    .execute();
  const workers = await db
    .selectFrom('workers')
    .select(['id', 'host', 'heartbeat_at', 'started_at'])
    .orderBy('started_at')
    .limit(LIST_CAP)
    .execute();

  return {
    outboxPending,
    outboxOldestDueAgeMs: ageMs(now, mailDue?.since),
    runsWaiting,
    runsDue,
    runsOldestDueAgeMs: ageMs(now, runDue?.since),
    eventsUndispatched,
    eventsOldestUndispatchedAgeMs: ageMs(now, oldestEvent?.created_at),
    imports,
    workers: workers.map((w) => ({
      id: w.id,
      host: w.host,
      heartbeatAt: w.heartbeat_at,
      startedAt: w.started_at,
    })),
  };
}
