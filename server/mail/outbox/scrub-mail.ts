// GDPR erasure in the outbox: a contact's mail keeps its row (id, kind, status, times), not its text.
import type { DB } from '../../db/open-database.ts';

/**
 * UPDATE outbox SET to_address = '', subject = '', text_body = '', html_body = '', headers = '{}',
 *   last_error = NULL WHERE contact_id = contact
 * Cancel the contact's pending mail first (cancel-mail.ts): a scrubbed row has no address to send to.
 */
export async function scrubContactMail(db: DB, contactId: number): Promise<void> {
  await db
    .updateTable('outbox')
    .set({
      to_address: '',
      subject: '',
      text_body: '',
      html_body: '',
      headers: '{}',
      last_error: null,
    })
    .where('contact_id', '=', contactId)
    .execute();
}
