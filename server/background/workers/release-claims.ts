// Frees every row a worker holds (outbox mail, workflow runs), so another worker can claim it now.
import type { DB } from '../../db/open-database.ts';

/** The tables whose rows are claimed with `locked_until` / `locked_by`. */
const CLAIMED_TABLES = ['outbox', 'workflow_runs'] as const;

/**
 * UPDATE outbox / workflow_runs SET locked_until = NULL, locked_by = NULL
 * WHERE locked_until IS NOT NULL AND locked_by IN (ids)
 *
 * A run's writes check its lease (`locked_until`), so a worker that is wrongly presumed dead
 * changes nothing more once its claims are released.
 */
export async function releaseClaims(db: DB, workerIds: string[]): Promise<number> {
  if (!workerIds.length) return 0;
  let released = 0;
  for (const table of CLAIMED_TABLES) {
    const result = await db
      .updateTable(table)
      .set({ locked_until: null, locked_by: null })
      .where('locked_until', 'is not', null)
      .where('locked_by', 'in', workerIds)
      .executeTakeFirst();
    released += Number(result.numUpdatedRows);
  }
  return released;
}

/**
 * Frees rows held by a worker id that has no `workers` row: one reaped while it was stalled, which
 * claimed more before its next heartbeat noticed and registered it again.
 */
export async function releaseOrphanedClaims(db: DB): Promise<number> {
  let released = 0;
  for (const table of CLAIMED_TABLES) {
    const result = await db
      .updateTable(table)
      .set({ locked_until: null, locked_by: null })
      .where('locked_until', 'is not', null)
      .where('locked_by', 'is not', null)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('workers')
              .select('workers.id')
              .whereRef('workers.id', '=', `${table}.locked_by`),
          ),
        ),
      )
      .executeTakeFirst();
    released += Number(result.numUpdatedRows);
  }
  return released;
}
