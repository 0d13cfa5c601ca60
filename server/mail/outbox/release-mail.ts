// Frees the outbox rows a dead (or stopping) worker held, so another sender can claim them at once.
import { releaseClaimedRows } from '../../db/claimed-rows.ts';
import type { DB } from '../../db/open-database.ts';

/** A mail released mid-send may go out twice, with one Message-ID (delivery is at-least-once). */
export function releaseMail(
  db: DB,
  holders: Parameters<typeof releaseClaimedRows>[2],
): Promise<number> {
  return releaseClaimedRows(db, 'outbox', holders);
}
