// Retention of mail activities: rows older than the period go, a batch at a time.
import type { DB } from '../../db/open-database.ts';

/**
 * DELETE FROM activities WHERE id IN (the `limit` oldest rows created before `before`)
 * Returns how many went; the caller repeats while a batch comes back full. Rows are found through
 * `activities_by_time`, so a pass with nothing old reads one index entry.
 * @example await pruneActivities(db, { before: now - 365 * DAY, limit: 1000 })
 */
export async function pruneActivities(
  db: DB,
  opts: { before: number; limit: number },
): Promise<number> {
  const old = db
    .selectFrom('activities')
    .select('id')
    .where('created_at', '<', opts.before)
    .orderBy('created_at')
    .limit(opts.limit);
  const result = await db.deleteFrom('activities').where('id', 'in', old).executeTakeFirst();
  return Number(result.numDeletedRows);
}
