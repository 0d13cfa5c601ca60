// Frees every row a worker holds, through each claimed table's owner (outbox, runs store, imports).
import type { ClaimedTable } from '../../db/claimed-rows.ts';
import type { DB } from '../../db/open-database.ts';
import { releaseRuns } from '../../engine/runs-store/release-runs.ts';
import { releaseImports } from '../../imports/store/import-sessions.ts';
import { releaseMail } from '../../mail/outbox/release-mail.ts';

type Holders = { workerIds: string[] } | 'unregistered';

const releasers: Record<ClaimedTable, (db: DB, holders: Holders) => Promise<number>> = {
  outbox: releaseMail,
  workflow_runs: releaseRuns,
  imports: releaseImports,
};

async function releaseAll(db: DB, holders: Holders): Promise<number> {
  let released = 0;
  for (const release of Object.values(releasers)) released += await release(db, holders);
  return released;
}

/** Frees what these workers hold. */
export const releaseClaims = (db: DB, workerIds: string[]) => releaseAll(db, { workerIds });

/**
 * Frees rows held by a worker id that has no `workers` row: one reaped while it was stalled, which
 * claimed more before its next heartbeat noticed and registered it again.
 */
export const releaseOrphanedClaims = (db: DB) => releaseAll(db, 'unregistered');
