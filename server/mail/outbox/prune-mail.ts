// Retention of the outbox: mail that went out (or never will) long ago goes, a window at a time.
import type { DB } from '../../db/open-database.ts';
import type { PruneWindow } from '../../events/prune-events.ts';

/**
 * DELETE FROM outbox WHERE id IN (the `limit` rows after `afterId`) AND status <> 'pending'
 *   AND coalesce(sent_at, created_at) < before
 * Pending mail is never deleted, however old (it is still to be sent). Ids grow with time, so the
 * walk starts at the oldest rows and stops at the first window holding a recent one.
 * @example await pruneMail(db, { before: now - 30 * DAY, afterId: 0, limit: 1000 })
 */
export async function pruneMail(
  db: DB,
  opts: { before: number; afterId: number; limit: number },
): Promise<PruneWindow> {
  const window = await db
    .selectFrom('outbox')
    .select(['id', 'created_at'])
    .where('id', '>', opts.afterId)
    .orderBy('id')
    .limit(opts.limit)
    .execute();
  const lastId = window.at(-1)?.id;
  if (lastId === undefined) return { deleted: 0, lastId, reachedRecent: true };
  const result = await db
    .deleteFrom('outbox')
    .where('id', '>', opts.afterId)
    .where('id', '<=', lastId)
    .where('status', '<>', 'pending')
    .where((eb) => eb(eb.fn.coalesce('sent_at', 'created_at'), '<', opts.before))
    .executeTakeFirst();
  return {
    deleted: Number(result.numDeletedRows),
    lastId,
    reachedRecent: window.some((m) => m.created_at >= opts.before),
  };
}
