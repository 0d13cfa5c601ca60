// Frees the runs a dead (or stopping) worker held, so another worker can claim them at once.
import { releaseClaimedRows } from '../../db/claimed-rows.ts';
import type { DB } from '../../db/open-database.ts';

/**
 * A run's writes check its lease (`locked_until`), so a worker wrongly presumed dead changes
 * nothing more once its runs are released.
 */
export function releaseRuns(
  db: DB,
  holders: Parameters<typeof releaseClaimedRows>[2],
): Promise<number> {
  return releaseClaimedRows(db, 'workflow_runs', holders);
}
