// Withdraws mail that has not gone out yet: its contact was deleted, or its address suppressed.
import { sql } from 'kysely';
import type { DB } from '../../db/open-database.ts';

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
