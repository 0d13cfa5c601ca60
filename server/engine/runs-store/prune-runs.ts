// Retention: finished runs older than the configured age go, then versions nothing uses any more.
import type { DB } from '../../db/open-database.ts';

/**
 * DELETE FROM workflow_runs WHERE id IN (SELECT id FROM workflow_runs WHERE status IN finished
 *   AND finished_at < before ORDER BY finished_at LIMIT n)
 * Their steps go with them (foreign key, on delete cascade). Returns how many runs went.
 * @example while ((await pruneFinishedRuns(db, { finishedBefore, limit: 1000 })) === 1000);
 */
export async function pruneFinishedRuns(
  db: DB,
  opts: { finishedBefore: number; limit: number },
): Promise<number> {
  const finished = db
    .selectFrom('workflow_runs')
    .select('id')
    .where('status', 'in', ['completed', 'failed', 'cancelled'])
    .where('finished_at', '<', opts.finishedBefore)
    .orderBy('finished_at')
    .limit(opts.limit);
  const result = await db
    .deleteFrom('workflow_runs')
    .where('id', 'in', finished)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Deletes versions no run is pinned to, that this process has not loaded (`loaded`), and that were
 * stored before `storedBefore`: another process may have loaded a version this one has not (its
 * files differ during a rolling deploy), and would start runs on it; it stored it when it loaded it,
 * so a version younger than the retention period is left alone.
 */
export async function pruneUnusedVersions(
  db: DB,
  opts: { storedBefore: number; loaded: number[] },
): Promise<number> {
  let unused = db
    .deleteFrom('workflow_versions')
    .where('created_at', '<', opts.storedBefore)
    .where('id', 'not in', (eb) => eb.selectFrom('workflow_runs').select('version_id'));
  if (opts.loaded.length) unused = unused.where('id', 'not in', opts.loaded);
  const result = await unused.executeTakeFirst();
  return Number(result.numDeletedRows);
}
