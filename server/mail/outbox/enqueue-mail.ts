// Queues a mail in the outbox, inside the caller's transaction; the sender delivers it later.
import type { DB } from '../../db/open-database.ts';

export interface MailToQueue {
  kind: string;
  /** Same key, same mail: a second enqueue with it is ignored. */
  idempotencyKey: string;
  contactId: number | null;
  to: string;
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
}

/** Returns the outbox id, or `undefined` when a mail with this idempotency key already exists. */
export async function enqueueMail(
  db: DB,
  mail: MailToQueue,
  now = Date.now(),
): Promise<number | undefined> {
  const row = await db
    .insertInto('outbox')
    .values({
      kind: mail.kind,
      idempotency_key: mail.idempotencyKey,
      contact_id: mail.contactId,
      to_address: mail.to,
      subject: mail.subject,
      text_body: mail.text,
      html_body: mail.html,
      headers: JSON.stringify(mail.headers ?? {}),
      status: 'pending',
      next_attempt_at: now,
      created_at: now,
    })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}
