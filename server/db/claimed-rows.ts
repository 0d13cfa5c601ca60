// Releasing claims on a leased table (outbox, workflow_runs, imports): one query shape, used by each table's owner.
import type { DB } from './open-database.ts';

/** The tables whose rows are claimed with `locked_until` / `locked_by`. */
export type ClaimedTable = 'outbox' | 'workflow_runs' | 'imports';

/**
 * UPDATE <table> SET locked_until = NULL, locked_by = NULL WHERE locked_until IS NOT NULL AND
 * (locked_by IN (ids) | locked_by has no `workers` row). Returns how many rows were freed.
 */
export async function releaseClaimedRows(
  db: DB,
  table: ClaimedTable,
  holders: { workerIds: string[] } | 'unregistered',
): Promise<number> {
  if (holders !== 'unregistered' && !holders.workerIds.length) return 0;
  const result = await db
    .updateTable(table)
    .set({ locked_until: null, locked_by: null })
    .where('locked_until', 'is not', null)
    .where((eb) =>
      holders === 'unregistered'
        ? eb.and([
            eb('locked_by', 'is not', null),
            eb.not(
              eb.exists(
                eb
                  .selectFrom('workers')
                  .select('workers.id')
                  .whereRef('workers.id', '=', `${table}.locked_by`),
              ),
            ),
          ])
        : eb('locked_by', 'in', holders.workerIds),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
