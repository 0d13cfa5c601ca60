// The only writer of `suppressions`: addresses no mail is queued for, whatever path queues it.
import type { DB } from '../../db/open-database.ts';
import type { SuppressionReason, SuppressionRow } from '../../db/schema.ts';
import type { Tx } from '../../db/unit-of-work.ts';
import { toPage } from '../../http/pagination.ts';
import { cancelPendingMailTo } from '../../mail/outbox/cancel-mail.ts';
import { suppressionKey } from './suppression-key.ts';

/** True when no mail may be queued for `email` (mail/outbox/enqueue-mail.ts asks before each). */
export async function isSuppressed(db: DB, email: string): Promise<boolean> {
  const row = await db
    .selectFrom('suppressions')
    .select('id')
    .where('email', '=', suppressionKey(email))
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Puts an address on the list (a second time keeps the first entry) and withdraws the mail still
 * pending for it, in the caller's transaction. Returns the entry and whether it is new.
 * @example await suppressAddress(tx, { email: 'ann@example.com', reason: 'bounce', now })
 */
export async function suppressAddress(
  tx: Tx,
  input: { email: string; reason: SuppressionReason; detail?: string | null; now: number },
): Promise<{ row: SuppressionRow; created: boolean }> {
  const email = suppressionKey(input.email);
  const inserted = await tx.db
    .insertInto('suppressions')
    .values({ email, reason: input.reason, detail: input.detail ?? null, created_at: input.now })
    .onConflict((oc) => oc.column('email').doNothing())
    .returningAll()
    .executeTakeFirst();
  await cancelPendingMailTo(tx.db, { address: email, reason: `suppressed: ${input.reason}` });
  if (inserted) return { row: inserted, created: true };
  const row = await tx.db
    .selectFrom('suppressions')
    .selectAll()
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
  return { row, created: false };
}

/** Takes an address off the list; false when it was not on it. Withdrawn mail stays withdrawn. */
export async function unsuppressAddress(db: DB, email: string): Promise<boolean> {
  const result = await db
    .deleteFrom('suppressions')
    .where('email', '=', suppressionKey(email))
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function findSuppression(db: DB, email: string) {
  return db
    .selectFrom('suppressions')
    .selectAll()
    .where('email', '=', suppressionKey(email))
    .executeTakeFirst();
}

/** Newest first, keyset-paged by id. */
export async function listSuppressions<V>(
  db: DB,
  input: { reason?: SuppressionReason; before?: number; limit: number },
  view: (row: SuppressionRow) => V,
): Promise<{ items: V[]; nextCursor: string | null }> {
  let query = db
    .selectFrom('suppressions')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(input.limit + 1);
  if (input.reason) query = query.where('reason', '=', input.reason);
  if (input.before !== undefined) query = query.where('id', '<', input.before);
  return toPage(await query.execute(), input.limit, view);
}
