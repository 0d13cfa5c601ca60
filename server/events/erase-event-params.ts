// GDPR erasure in the event log: a contact's events keep their type, id and time, not its data.
import type { DB } from '../db/open-database.ts';

/**
 * UPDATE events SET params = '{"ContactId": id}', key = 'id' WHERE contact_id = id
 * Params carry the address (`EmailAddress`, `SMS`) and whatever a caller sent; a key may be the
 * email (imports' `eventKeyForNewContacts`). Workflows that read them have been cancelled.
 */
export async function eraseEventParams(db: DB, contactId: number): Promise<void> {
  await db
    .updateTable('events')
    .set({ params: JSON.stringify({ ContactId: contactId }), key: String(contactId) })
    .where('contact_id', '=', contactId)
    .execute();
}
