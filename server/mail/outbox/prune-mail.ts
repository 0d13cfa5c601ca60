// Retention of the outbox: mail that went out (or never will) long ago goes, a window at a time.
import { type PruneWindow, pruneIdWindow } from '../../db/id-window.ts';
import type { DB } from '../../db/open-database.ts';

/**
 * DELETE FROM outbox WHERE id IN (the `limit` rows after `afterId`) AND status <> 'pending'
 *   AND coalesce(sent_at, created_at) < before
 * Pending mail is never deleted, however old (it is still to be sent). Windows: `pruneIdWindow`.
 * @example await pruneMail(db, { before: now - 30 * DAY, afterId: 0, limit: 1000 })
 */
export async function pruneMail(
  db: DB,
  opts: { before: number; afterId: number; limit: number },
): Promise<PruneWindow> {
  return pruneIdWindow(db, 'outbox', opts, async (lastId) => {
    const result = await db
      .deleteFrom('outbox')
      .where('id', '>', opts.afterId)
      .where('id', '<=', lastId)
      .where('status', '<>', 'pending')
      .where((eb) => eb(eb.fn.coalesce('sent_at', 'created_at'), '<', opts.before))
      .executeTakeFirst();
    return result.numDeletedRows;
  });
}
