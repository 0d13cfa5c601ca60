// How much mail is in each outbox state: what an operator watches to see mail stuck or failing.
import type { DB } from '../../db/open-database.ts';
import type { OutboxStatus } from '../../db/schema.ts';

export type OutboxCounts = Record<OutboxStatus, number> & { dueNow: number };

/**
 * SELECT status, count(*) FROM outbox GROUP BY status; plus pending rows already due.
 * `dueNow` tells a backlog (due, not yet sent) from mail waiting out a retry backoff.
 */
export async function countMailByStatus(db: DB, now: number): Promise<OutboxCounts> {
  const counts: OutboxCounts = { pending: 0, sent: 0, failed: 0, cancelled: 0, dueNow: 0 };
  const rows = await db
    .selectFrom('outbox')
    .select(['status', db.fn.countAll<number | string>().as('n')])
    .groupBy('status')
    .execute();
  for (const row of rows) counts[row.status] = Number(row.n);
  const due = await db
    .selectFrom('outbox')
    .select(db.fn.countAll<number | string>().as('n'))
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .executeTakeFirstOrThrow();
  counts.dueNow = Number(due.n);
  return counts;
}
