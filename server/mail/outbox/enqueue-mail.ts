// Queues a mail in the outbox, inside the caller's transaction; the sender delivers it later.
import { insertRow } from '../../db/row-inserts.ts';
import type { Tx } from '../../db/unit-of-work.ts';
import { isSuppressed } from '../../deliverability/suppressions/suppression-rows.ts';

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
  /** The workflow step that queued it; `tracked`: its links and opens are tracked. */
  origin?: { workflow: string; step: string; tracked: boolean };
}

/**
 * Returns the outbox id, or `undefined` when a mail with this idempotency key already exists or
 * its address is on the suppression list: checked here, so every path that sends mail (the
 * confirmation, workflow mail, any later campaign) honours it. The sender is woken when the
 * transaction commits, so no caller has to remember to.
 */
export async function enqueueMail(
  tx: Tx,
  mail: MailToQueue,
  now: number,
): Promise<number | undefined> {
  if (await isSuppressed(tx.db, mail.to)) return undefined;
  const row = await insertRow<'outbox', { id: number }>(
    tx.db,
    'outbox',
    {
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
      workflow: mail.origin?.workflow ?? null,
      step: mail.origin?.step ?? null,
      tracked: mail.origin?.tracked ? 1 : 0,
    },
    { ignoreConflictOn: 'idempotency_key', returning: ['id'] },
  );
  if (row) tx.afterCommit(tx.wakeups.mail);
  return row && Number(row.id);
}

/** Holds back a mail queued in the same transaction until `notBefore` (a paced budget). */
export async function deferQueuedMail(tx: Tx, id: number, notBefore: number): Promise<void> {
  await tx.db
    .updateTable('outbox')
    .set({ next_attempt_at: notBefore })
    .where('id', '=', id)
    .execute();
}
