// Claims runs whose next step is due by leasing them to a worker id (freed when that worker dies).
import type { DialectCapabilities } from '../../db/dialect.ts';
import type { DB } from '../../db/open-database.ts';
import type { RunRow } from '../../db/schema.ts';

/**
 * UPDATE workflow_runs SET locked_until = now + lease, locked_by = worker
 * WHERE id IN (SELECT id FROM (<due of status 'running'>) UNION ALL SELECT id FROM (<due of 'waiting'>))
 * RETURNING *, where <due of status> is
 *   SELECT id FROM workflow_runs WHERE status = s AND due_at <= now
 *   AND (locked_until IS NULL OR locked_until <= now) ORDER BY due_at LIMIT n [FOR UPDATE SKIP LOCKED]
 * Up to `limit` runs of each status: one `status IN (…)` scan had to sort every due run (1.3 ms a
 * claim with 10,000 due on SQLite), while each status alone reads the index in due order and stops
 * at n (20 µs). Taking both keeps timers firing while a burst of new runs is being worked off.
 */
export async function claimDueRuns(
  db: DB,
  dialect: DialectCapabilities,
  opts: { now: number; leaseMs: number; limit: number; workerId: string },
): Promise<RunRow[]> {
  const dueOf = (status: 'running' | 'waiting') =>
    dialect.lockForClaim(
      db
        .selectFrom('workflow_runs')
        .select('id')
        .where('status', '=', status)
        .where('due_at', '<=', opts.now)
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', opts.now)]))
        .orderBy('due_at')
        .limit(opts.limit),
    );
  const due = db
    .selectFrom(dueOf('running').as('r'))
    .select('r.id')
    .unionAll(db.selectFrom(dueOf('waiting').as('w')).select('w.id'));
  return db
    .updateTable('workflow_runs')
    .set({ locked_until: opts.now + opts.leaseMs, locked_by: opts.workerId })
    .where('id', 'in', due)
    .returningAll()
    .execute();
}

/** When the next run becomes due, so the worker can sleep exactly that long. */
export async function nextDueAt(db: DB): Promise<number | null> {
  const row = await db
    .selectFrom('workflow_runs')
    .select((eb) => eb.fn.min('due_at').as('next'))
    .where('status', 'in', ['running', 'waiting'])
    .executeTakeFirst();
  return row?.next === null || row?.next === undefined ? null : Number(row.next);
}
