// Claims runs whose next step is due by leasing them to a worker id (freed when that worker dies).
import type { DialectCapabilities } from '../../db/dialect.ts';
import type { DB } from '../../db/open-database.ts';
import type { RunRow } from '../../db/schema.ts';

/**
 * UPDATE workflow_runs SET locked_until = now + lease, locked_by = worker
 * WHERE id IN (SELECT id FROM workflow_runs WHERE status IN ('running','waiting') AND due_at <= now
 *              AND (locked_until IS NULL OR locked_until <= now)
 *              ORDER BY due_at LIMIT n [FOR UPDATE SKIP LOCKED])
 * RETURNING *
 */
export async function claimDueRuns(
  db: DB,
  dialect: DialectCapabilities,
  opts: { now: number; leaseMs: number; limit: number; workerId: string },
): Promise<RunRow[]> {
  const due = dialect.lockForClaim(
    db
      .selectFrom('workflow_runs')
      .select('id')
      .where('status', 'in', ['running', 'waiting'])
      .where('due_at', '<=', opts.now)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', opts.now)]))
      .orderBy('due_at')
      .limit(opts.limit),
  );
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
