// Unsubscribe links (signed with the secret key, no row per mail) and the unsubscribe verb.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { recordConsent } from '../contacts/consents.ts';
import { findContactById, lockContacts, updateContact } from '../contacts/store/contact-rows.ts';
import { type VerbContext, withTransaction } from '../db/unit-of-work.ts';
import { recordActivities } from '../deliverability/activities/record-activity.ts';
import { appendEvent, contactEventParams } from '../events/append-event.ts';

const sign = (secret: string, contactId: number) =>
  createHmac('sha256', secret).update(`unsubscribe:${contactId}`).digest('base64url').slice(0, 32);

/** @example unsubscribeUrl('https://lists.example.com', secret, 42) // …/unsubscribe/42.Xy… */
export function unsubscribeUrl(publicUrl: string, secret: string, contactId: number): string {
  return `${publicUrl}/unsubscribe/${contactId}.${sign(secret, contactId)}`;
}

/** The contact id a token stands for, or `undefined` when the signature does not match. */
export function verifyUnsubscribeToken(secret: string, token: string): number | undefined {
  const match = /^(\d{1,15})\.([A-Za-z0-9_-]{32})$/.exec(token);
  if (!match) return undefined;
  const contactId = Number(match[1]);
  const expected = Buffer.from(sign(secret, contactId));
  const given = Buffer.from(match[2] as string);
  return timingSafeEqual(expected, given) ? contactId : undefined;
}

/** Idempotent; returns false when the contact does not exist (any more). */
export async function unsubscribeContact(
  ctx: VerbContext,
  input: { contactId: number; ip: string | null; userAgent: string | null; now?: number },
): Promise<boolean> {
  const now = input.now ?? Date.now();
  return withTransaction(ctx, async (tx) => {
    const trx = tx.db;
    // The contact's lock, as deleting takes it: a delete committing meanwhile is seen, not undone.
    await lockContacts(trx, [input.contactId]);
    const contact = await findContactById(trx, input.contactId);
    if (!contact || contact.deleted_at !== null) return false;
    if (contact.status === 'unsubscribed') return true;
    await updateContact(trx, contact, { status: 'unsubscribed' }, now);
    await recordConsent(trx, {
      contactId: contact.id,
      kind: 'unsubscribe',
      formType: null,
      ip: input.ip,
      userAgent: input.userAgent,
      now,
    });
    await recordActivities(trx, [{ action: 'unsubscribed', contactId: contact.id }], now);
    await appendEvent(tx, {
      type: 'unsubscribed',
      contactId: contact.id,
      params: contactEventParams(contact),
      now,
    });
    return true;
  });
}
