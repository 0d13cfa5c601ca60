// Queues a mail in the outbox, inside the caller's transaction; the sender delivers it later.
import type { Tx } from '../../db/unit-of-work.ts';

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
  /** Held back until then (a paced budget); unset: due at once. */
  notBefore?: number;
}

/**
 * Returns the outbox id, or `undefined` when a mail with this idempotency key already exists. The
 * sender is woken when the transaction commits, so no caller has to remember to.
 */
export async function enqueueMail(
  tx: Tx,
  mail: MailToQueue,
  now: number,
): Promise<number | undefined> {
  const row = await tx.db
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
      next_attempt_at: Math.max(now, mail.notBefore ?? now),
      created_at: now,
    })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (row) tx.afterCommit(tx.wakeups.mail);
  return row?.id;
}
