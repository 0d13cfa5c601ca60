// Withdraws mail that has not gone out yet: its contact was deleted, or its address suppressed.
import { sql } from 'kysely';
import type { DB } from '../../db/open-database.ts';
import type { OutboxRow } from '../../db/schema.ts';
import { suppressionKey } from '../../deliverability/suppressions/suppression-key.ts';

/**
 * UPDATE outbox SET status = 'cancelled', last_error = reason
 * WHERE contact_id = contact AND status = 'pending'
 * A row a sender holds at this moment may still go out (its `markSent` then records `sent`), but a
 * retry never comes: the sender only claims `pending` rows. Returns how many mails were withdrawn.
 */
export async function cancelPendingMail(
  db: DB,
  by: { contactId: number; reason: string },
): Promise<number> {
  const result = await db
    .updateTable('outbox')
    .set({ status: 'cancelled', last_error: by.reason })
    .where('contact_id', '=', by.contactId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * UPDATE outbox SET status = 'cancelled', last_error = reason
 * WHERE lower(to_address) = address AND status = 'pending'
 * For an address put on the suppression list: its queued mail never goes out (same caveat as above
 * for a row a sender holds). `address` is lower-cased. Returns how many mails were withdrawn.
 */
export async function cancelPendingMailTo(
  db: DB,
  by: { address: string; reason: string },
): Promise<number> {
  const result = await db
    .updateTable('outbox')
    .set({ status: 'cancelled', last_error: by.reason })
    .where(sql<string>`lower(to_address)`, '=', by.address)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Withdraws the claimed rows whose address is on the suppression list and returns the others, to
 * be sent. Checked at each claim because the check at enqueue can miss: on PostgreSQL a suppression
 * committing while the mail's transaction is open is checked too early by the enqueue, and its
 * cancel cannot see the uncommitted row.
 */
export async function withdrawSuppressed(db: DB, rows: OutboxRow[]): Promise<OutboxRow[]> {
  if (rows.length === 0) return rows;
  const key = (row: OutboxRow) => suppressionKey(row.to_address);
  const listed = await db
    .selectFrom('suppressions')
    .select('email')
    .where('email', 'in', [...new Set(rows.map(key))])
    .execute();
  if (listed.length === 0) return rows;
  const blocked = new Set(listed.map((s) => s.email));
  const withdrawn = rows.filter((row) => blocked.has(key(row))).map((row) => row.id);
  await db
    .updateTable('outbox')
    .set({ status: 'cancelled', last_error: 'suppressed', locked_until: null, locked_by: null })
    .where('id', 'in', withdrawn)
    .execute();
  return rows.filter((row) => !blocked.has(key(row)));
}
