// Retention of the event log: old events the engine is done with go, a window of ids at a time.
import type { DB } from '../db/open-database.ts';

export interface PruneWindow {
  /** Rows deleted from this window. */
  deleted: number;
  /** Where the next window starts (exclusive); undefined when the table ended. */
  lastId: number | undefined;
  /** The window held rows newer than the cut-off: the walk is done (ids grow with time). */
  reachedRecent: boolean;
}

/**
 * Looks at the `limit` events after `afterId` in id order (the order they were appended, so the
 * oldest come first and a walk stops at the first recent one: no index on time needed, and no scan
 * of a table where nothing is old) and deletes those appended before `before`, except:
 * - events not dispatched yet (the engine has not seen them);
 * - every event of a contact with an active run: a run reads its trigger event at each step, and a
 *   `wait_for` reads the contact's events after its cursor.
 * @example await pruneEvents(db, { before: now - 90 * DAY, afterId: 0, limit: 1000 })
 */
export async function pruneEvents(
  db: DB,
  opts: { before: number; afterId: number; limit: number },
): Promise<PruneWindow> {
  const window = await db
    .selectFrom('events')
    .select(['id', 'created_at'])
    .where('id', '>', opts.afterId)
    .orderBy('id')
    .limit(opts.limit)
    .execute();
  const lastId = window.at(-1)?.id;
  if (lastId === undefined) return { deleted: 0, lastId, reachedRecent: true };
  const result = await db
    .deleteFrom('events')
    .where('id', '>', opts.afterId)
    .where('id', '<=', lastId)
    .where('created_at', '<', opts.before)
    .where('dispatched_at', 'is not', null)
    .where((eb) =>
      eb.or([
        eb('contact_id', 'is', null),
        eb.not(
          eb.exists(
            eb
              .selectFrom('workflow_runs')
              .select('workflow_runs.id')
              .whereRef('workflow_runs.contact_id', '=', 'events.contact_id')
              .where('workflow_runs.status', 'in', ['running', 'waiting']),
          ),
        ),
      ]),
    )
    .executeTakeFirst();
  return {
    deleted: Number(result.numDeletedRows),
    lastId,
    reachedRecent: window.some((e) => e.created_at >= opts.before),
  };
}
