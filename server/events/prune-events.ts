// Retention of the event log: old events the engine is done with go, a window of ids at a time.
import { type PruneWindow, pruneIdWindow } from '../db/id-window.ts';
import type { DB } from '../db/open-database.ts';

/**
 * Looks at the `limit` events after `afterId` in id order (`pruneIdWindow`) and deletes those
 * appended before `before`, except:
 * - events not dispatched yet (the engine has not seen them);
 * - every event of a contact with an active run: a run reads its trigger event at each step, and a
 *   `wait_for` reads the contact's events after its cursor.
 * @example await pruneEvents(db, { before: now - 90 * DAY, afterId: 0, limit: 1000 })
 */
export async function pruneEvents(
  db: DB,
  opts: { before: number; afterId: number; limit: number },
): Promise<PruneWindow> {
  return pruneIdWindow(db, 'events', opts, async (lastId) => {
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
    return result.numDeletedRows;
  });
}
