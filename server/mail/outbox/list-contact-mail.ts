// A contact's mail, newest first, as its timeline shows it: what was sent, when, and how it went.
import type { DB } from '../../db/open-database.ts';

/** SELECT … FROM outbox WHERE contact_id = ? ORDER BY id DESC LIMIT ? (bodies left out). */
export async function listContactMail(db: DB, contactId: number, limit: number) {
  const rows = await db
    .selectFrom('outbox')
    .select([
      'id',
      'kind',
      'subject',
      'to_address',
      'status',
      'attempts',
      'last_error',
      'created_at',
      'sent_at',
    ])
    .where('contact_id', '=', contactId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind,
    subject: row.subject,
    to: row.to_address,
    status: row.status,
    attempts: row.attempts,
    error: row.last_error,
    createdAt: row.created_at,
    sentAt: row.sent_at,
  }));
}
