// Queues a double opt-in mail for an unconfirmed address, within the per-address throttle.
import type { Timings } from '../config.ts';
import type { DB } from '../db/open-database.ts';
import type { ContactRow } from '../db/schema.ts';
import type { Tx } from '../db/unit-of-work.ts';
import type { Form } from '../forms/form-schema.ts';
import { enqueueMail } from '../mail/outbox/enqueue-mail.ts';
import { createConfirmToken } from './confirm-tokens.ts';
import { renderConfirmationMail } from './confirmation-mail.ts';

export interface QueueConfirmationInput {
  contact: ContactRow;
  formType: string | null;
  form: Form | undefined;
  publicUrl: string;
  timings: Timings;
  now: number;
  /** A contact created in this transaction has no earlier mail to throttle against. */
  isNewContact?: boolean;
}

/**
 * Creates a token and queues the mail, in the caller's transaction. Returns false (and queues
 * nothing) for an address that is not unconfirmed or that had a confirmation mail too recently.
 */
export async function queueConfirmation(tx: Tx, input: QueueConfirmationInput): Promise<boolean> {
  const { contact, timings, now } = input;
  if (contact.status !== 'unconfirmed' || !contact.email || contact.deleted_at !== null)
    return false;
  if (!input.isNewContact && !(await confirmationAllowed(tx.db, contact.id, timings, now)))
    return false;
  const { id, token } = await createConfirmToken(tx.db, {
    contactId: contact.id,
    email: contact.email,
    formType: input.formType,
    ttlMs: timings.confirmTokenTtlMs,
    now,
  });
  const mail = renderConfirmationMail(input.form, `${input.publicUrl}/confirm/${token}`);
  await enqueueMail(
    tx,
    {
      kind: 'confirmation',
      idempotencyKey: `confirm:${id}`,
      contactId: contact.id,
      to: contact.email,
      ...mail,
    },
    now,
  );
  return true;
}

/** Per-address throttle: one confirmation per cooldown, a few per day. */
async function confirmationAllowed(
  trx: DB,
  contactId: number,
  t: Timings,
  now: number,
): Promise<boolean> {
  const recent = await trx
    .selectFrom('outbox')
    .select(['created_at'])
    .where('contact_id', '=', contactId)
    .where('kind', '=', 'confirmation')
    .where('created_at', '>', now - 24 * 3600_000)
    .execute();
  if (recent.length >= t.confirmationsPerDay) return false;
  return !recent.some((r) => r.created_at > now - t.confirmationCooldownMs);
}
