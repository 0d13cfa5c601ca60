// Queues a double opt-in mail: within the per-mailbox throttle, paced by the domain and form budgets.
import type { Timings } from '../config.ts';
import { mailboxOf } from '../contacts/mailbox.ts';
import type { SubscriberFills } from '../contacts/upsert-contact.ts';
import { dialectOf } from '../db/dialect.ts';
import type { ContactRow } from '../db/schema.ts';
import type { Tx } from '../db/unit-of-work.ts';
import type { Form } from '../forms/form-schema.ts';
import type { Logger } from '../logger.ts';
import { deferQueuedMail, enqueueMail } from '../mail/outbox/enqueue-mail.ts';
import { createConfirmToken, extendConfirmToken } from './confirm-tokens.ts';
import { renderConfirmationMail } from './confirmation-mail.ts';
import { paceConfirmation } from './confirmation-pacing.ts';
import { mailboxMayGetConfirmation } from './confirmation-throttle.ts';

export interface QueueConfirmationInput {
  contact: ContactRow;
  formType: string | null;
  form: Form | undefined;
  publicUrl: string;
  timings: Timings;
  now: number;
  logger: Logger;
  /** What an anonymous post typed for an existing contact; applied when this link is used. */
  fills?: SubscriberFills;
  /** The caller's transaction already holds the lock of the contact's mailbox (its upsert took it). */
  mailboxLocked?: boolean;
}

/**
 * Re-sends the mail to a contact that is still unconfirmed (the workflow step). Returns false, and
 * queues nothing, for any other status or when the throttle says no.
 */
export async function queueConfirmation(tx: Tx, input: QueueConfirmationInput): Promise<boolean> {
  if (input.contact.status !== 'unconfirmed') return false;
  return queueConfirmationMail(tx, input);
}

/**
 * Creates a token and queues the mail in the caller's transaction, for a caller that has decided
 * the address needs one (a deleted contact's too: a subscribe asks it back, and the link restores
 * it). Returns false (and queues nothing) for a contact without an email, or when the mailbox is
 * over its throttle (logged). A mail over its domain's or form's budget is queued to go out later,
 * and its link stays valid for the full time from then.
 */
export async function queueConfirmationMail(
  tx: Tx,
  input: QueueConfirmationInput,
): Promise<boolean> {
  const { contact, timings, now } = input;
  if (!contact.email) return false;
  const mailbox = mailboxOf(contact.email);
  if (!input.mailboxLocked)
    await dialectOf(tx.db).lockIdentities(tx.db, [`mailbox:${mailbox.mailbox}`]);
  if (!(await mailboxMayGetConfirmation(tx.db, mailbox, input.formType, timings, now))) {
    input.logger.info(
      { contactId: contact.id, formType: input.formType, domain: mailbox.domain, over: 'mailbox' },
      'confirmation mail not sent: over the throttle',
    );
    return false;
  }
  const { id, token } = await createConfirmToken(tx.db, {
    contactId: contact.id,
    email: contact.email,
    formType: input.formType,
    fills: input.fills,
    ttlMs: timings.confirmTokenTtlMs,
    now,
  });
  const mail = renderConfirmationMail(input.form, `${input.publicUrl}/confirm/${token}`);
  const outboxId = await enqueueMail(
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
  // Booked once the mail is queued: a mail paced later is rare, and only then are its token and
  // outbox row moved on. Every subscribe to one form books the same row; on PostgreSQL the booking
  // commits on its own (db/counters.ts), so subscribes do not take turns for the rest of their
  // transaction.
  const sendAt = await paceConfirmation(tx.db, {
    domain: mailbox.domain,
    formType: input.formType,
    timings,
    now,
    logger: input.logger,
  });
  if (sendAt > now) {
    await extendConfirmToken(tx.db, id, sendAt - now);
    if (outboxId !== undefined) await deferQueuedMail(tx, outboxId, sendAt);
  }
  return true;
}
