// Records each used challenge until it expires: what makes a proof of work single-use.
import type { DB } from '../db/open-database.ts';

/**
 * Marks the challenge used; false when it already was. The primary key decides, so of two
 * requests racing with one challenge (two processes on PostgreSQL too) exactly one gets true.
 */
export async function spendChallenge(db: DB, id: string, expiresAt: number): Promise<boolean> {
  const inserted = await db
    .insertInto('spent_challenges')
    .values({ id, expires_at: expiresAt })
    .onConflict((oc) => oc.column('id').doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Processes' clocks differ a little: a record stays this much longer than its challenge. */
const CLOCK_MARGIN_MS = 60_000;

/** An expired challenge is refused for its expiry, so its record is no longer needed. */
export async function pruneSpentChallenges(db: DB, now: number): Promise<void> {
  await db
    .deleteFrom('spent_challenges')
    .where('expires_at', '<', now - CLOCK_MARGIN_MS)
    .execute();
}
