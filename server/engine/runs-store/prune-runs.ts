// Retention: finished runs older than the configured age go, then versions nothing uses any more.
import type { DB } from '../../db/open-database.ts';

export async function pruneFinishedRuns(
  db: DB,
  finishedBefore: number,
  loadedVersionIds: number[],
): Promise<number> {
  const result = await db
    .deleteFrom('workflow_runs')
    .where('status', 'in', ['completed', 'failed', 'cancelled'])
    .where('finished_at', '<', finishedBefore)
    .executeTakeFirst();
  // A version is kept while a run is pinned to it or while it is the loaded definition.
  let unused = db
    .deleteFrom('workflow_versions')
    .where('id', 'not in', (eb) => eb.selectFrom('workflow_runs').select('version_id'));
  if (loadedVersionIds.length) unused = unused.where('id', 'not in', loadedVersionIds);
  await unused.execute();
  return Number(result.numDeletedRows);
}
