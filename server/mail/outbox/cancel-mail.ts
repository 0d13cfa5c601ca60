// Withdraws a contact's mail that has not gone out yet (the contact was deleted).
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
