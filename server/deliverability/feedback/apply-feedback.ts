// What receivers tell us about a mail (bounce, complaint, delivery), applied to contact and list.
import {
  findContactBy,
  findContactById,
  isErased,
  lockContacts,
  updateContact,
} from '../../contacts/store/contact-rows.ts';
import type { ContactRow } from '../../db/schema.ts';
import { type Tx, type VerbContext, withTransaction } from '../../db/unit-of-work.ts';
import { appendEvent, contactEventParams } from '../../events/append-event.ts';
import { hasActivity, recordActivities } from '../activities/record-activity.ts';
import { isSuppressed, suppressAddress } from '../suppressions/suppression-rows.ts';

/** One piece of feedback, whatever format it came in (webhook-formats.ts, dsn-report.ts). */
export interface MailFeedback {
  type: 'bounce' | 'complaint' | 'delivered';
  /** The recipient the feedback is about. */
  email: string;
  /** Our Message-ID of the mail, when the report carries it (with or without `<>`). */
  messageId?: string;
  /** The mail, when the report came to its signed return path (then `messageId` is not read). */
  outboxId?: number;
  /** `hard`: the address does not work (5.x.x); `soft`: it may again (4.x.x, a full mailbox). */
  bounceType?: 'hard' | 'soft';
  /** Enhanced status code (`5.1.1`) and the receiver's words, as reported. */
  status?: string;
  diagnostic?: string;
  /** Where it came from: `webhook:generic`, `webhook:postmark`, `bounce-mailbox`. */
  source: string;
}

export type FeedbackOutcome = 'applied' | 'duplicate';

const bracketed = (id: string) => (id.startsWith('<') ? id : `<${id}>`);

async function findMail(tx: Tx, { outboxId, messageId }: MailFeedback) {
  const mail = tx.db
    .selectFrom('outbox')
    .select(['id', 'contact_id', 'message_id', 'workflow', 'step']);
  if (outboxId !== undefined) return mail.where('id', '=', outboxId).executeTakeFirst();
  if (!messageId) return undefined;
  return mail.where('message_id', '=', bracketed(messageId.trim())).executeTakeFirst();
}

/**
 * Applies one piece of feedback in one transaction. A hard bounce suppresses the address and marks
 * its contact `bounced`; a complaint suppresses it and marks the contact `unsubscribed`; both
 * withdraw mail still queued for it and append `emailBounced` / `emailComplained`. A soft bounce
 * and a delivery are only recorded. The same report about the same mail twice (a provider's
 * retry) changes nothing the second time; a hard bounce after soft ones about that mail still applies.
 * @example await applyFeedback(ctx, { type: 'bounce', bounceType: 'hard', email: 'ann@example.com', source: 'webhook:generic' }, now)
 */
export function applyFeedback(
  ctx: VerbContext,
  feedback: MailFeedback,
  now: number,
): Promise<FeedbackOutcome> {
  return withTransaction(ctx, async (tx) => {
    const mail = await findMail(tx, feedback);
    const action =
      feedback.type === 'bounce'
        ? 'bounced'
        : feedback.type === 'complaint'
          ? 'complained'
          : 'delivered';
    const bounceType = feedback.type === 'bounce' ? (feedback.bounceType ?? 'hard') : undefined;
    const lasting = feedback.type === 'complaint' || bounceType === 'hard';
    // A hard bounce after soft ones about the same mail (a provider giving up) is news: it is a
    // repeat only once the address is suppressed.
    if (
      mail &&
      (await hasActivity(tx.db, mail.id, action)) &&
      !(bounceType === 'hard' && !(await isSuppressed(tx.db, feedback.email)))
    )
      return 'duplicate';
    let contact: ContactRow | undefined =
      mail?.contact_id != null ? await findContactById(tx.db, mail.contact_id) : undefined;
    contact ??= await findContactBy(tx.db, 'email', feedback.email);
    if (contact) {
      // Read again under the contact's lock, as deleting takes it: a delete committing meanwhile
      // is seen, not written over with a bounced status.
      await lockContacts(tx.db, [contact.id]);
      contact = await findContactById(tx.db, contact.id);
    }
    const detail = {
      source: feedback.source,
      ...(bounceType ? { type: bounceType } : {}),
      ...(feedback.status ? { status: feedback.status } : {}),
      // The receiver's words name the address: none for a contact erased before the report came.
      ...(feedback.diagnostic && !(contact && isErased(contact))
        ? { diagnostic: feedback.diagnostic.slice(0, 1000) }
        : {}),
    };
    await recordActivities(
      tx.db,
      [
        {
          action,
          contactId: contact?.id ?? null,
          outboxId: mail?.id ?? null,
          messageId: mail?.message_id ?? feedback.messageId ?? null,
          email: feedback.email,
          workflow: mail?.workflow ?? null,
          step: mail?.step ?? null,
          detail,
        },
      ],
      now,
    );
    if (feedback.type === 'delivered') return 'applied';

    if (lasting) {
      await suppressAddress(tx, {
        email: feedback.email,
        reason: feedback.type === 'complaint' ? 'complaint' : 'bounce',
        detail: [feedback.status, feedback.diagnostic].filter(Boolean).join(' ') || null,
        now,
      });
    }
    if (!contact || contact.deleted_at !== null) return 'applied';
    const status = feedback.type === 'complaint' ? 'unsubscribed' : 'bounced';
    if (lasting && contact.status !== status) {
      contact = await updateContact(tx.db, contact, { status }, now);
    }
    await appendEvent(tx, {
      type: feedback.type === 'complaint' ? 'emailComplained' : 'emailBounced',
      contactId: contact.id,
      params: {
        ...contactEventParams(contact),
        MessageId: mail?.message_id ?? feedback.messageId ?? null,
        ...(bounceType ? { BounceType: bounceType, Status: feedback.status ?? null } : {}),
        Workflow: mail?.workflow ?? null,
        Step: mail?.step ?? null,
      },
      now,
    });
    return 'applied';
  });
}
