// Retention's walk over an append-only table: the next window of ids, oldest first.
import type { DB } from './open-database.ts';

export interface PruneWindow {
  /** Rows deleted from this window. */
  deleted: number;
  /** Where the next window starts (exclusive); undefined when the table ended. */
  lastId: number | undefined;
  /** The window held rows newer than the cut-off: the walk is done (ids grow with time). */
  reachedRecent: boolean;
}

/**
 * Reads the `limit` rows after `afterId` in id order and lets `deleteOld` delete, among ids
 * `(afterId, lastId]`, those it may. Ids grow with time, so a walk starts at the oldest rows and
 * stops at the first window holding a recent one: no index on time needed, and no scan of a table
 * where nothing is old.
 * @example await pruneIdWindow(db, 'events', { before, afterId: 0, limit: 1000 }, (lastId) => …)
 */
export async function pruneIdWindow(
  db: DB,
  table: 'events' | 'outbox',
  opts: { before: number; afterId: number; limit: number },
  deleteOld: (lastId: number) => Promise<bigint>,
): Promise<PruneWindow> {
  const window = await db
    .selectFrom(table)
    .select(['id', 'created_at'])
    .where('id', '>', opts.afterId)
    .orderBy('id')
    .limit(opts.limit)
    .execute();
  const lastId = window.at(-1)?.id;
  if (lastId === undefined) return { deleted: 0, lastId, reachedRecent: true };
  return {
    deleted: Number(await deleteOld(lastId)),
    lastId,
    reachedRecent: window.some((row) => row.created_at >= opts.before),
  };
}
