// The confirm verb: spends a DOI token, confirms the contact and appends emailConfirmed[-formType].
import { recordConsent } from '../contacts/consents.ts';
import type { DB } from '../db/open-database.ts';
import { type VerbContext, withTransaction } from '../db/unit-of-work.ts';
import { appendEvent, contactEventParams, eventName } from '../events/append-event.ts';
import { findConfirmToken } from './confirm-tokens.ts';

export type ConfirmOutcome =
  | { kind: 'confirmed' | 'alreadyConfirmed'; contactId: number; formType: string | null }
  | { kind: 'invalid' }
  | { kind: 'expired'; formType: string | null };

/** Looks at a token without changing anything (for the GET page). */
export async function inspectConfirmToken(
  db: DB,
  token: string,
  now = Date.now(),
): Promise<ConfirmOutcome | { kind: 'pending'; formType: string | null }> {
  const row = await findConfirmToken(db, token);
  if (!row) return { kind: 'invalid' };
  if (row.used_at !== null)
    return { kind: 'alreadyConfirmed', contactId: row.contact_id, formType: row.form_type };
  if (row.expires_at <= now) return { kind: 'expired', formType: row.form_type };
  return { kind: 'pending', formType: row.form_type };
}

/**
 * Idempotent: a second call with the same token answers `alreadyConfirmed` and appends nothing.
 * @example await confirmEmail(ctx, { token, ip: '203.0.113.9', userAgent: 'Mozilla/5.0' })
 */
export async function confirmEmail(
  ctx: VerbContext,
  input: { token: string; ip: string | null; userAgent: string | null; now?: number },
): Promise<ConfirmOutcome> {
  const now = input.now ?? Date.now();
  return withTransaction(ctx, async (tx) => {
    const trx = tx.db;
    const row = await findConfirmToken(trx, input.token);
    if (!row) return { kind: 'invalid' };
    const done = { contactId: row.contact_id, formType: row.form_type };
    if (row.used_at !== null) return { kind: 'alreadyConfirmed', ...done };
    if (row.expires_at <= now) return { kind: 'expired', formType: row.form_type };
    // Only one concurrent POST wins the token; the other reports success without an event.
    const spent = await trx
      .updateTable('confirm_tokens')
      .set({ used_at: now })
      .where('id', '=', row.id)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    if (spent.numUpdatedRows === 0n) return { kind: 'alreadyConfirmed', ...done };

    const contact = await trx
      .selectFrom('contacts')
      .selectAll()
      .where('id', '=', row.contact_id)
      .executeTakeFirst();
    // A link for an address the contact no longer has, or a deleted contact, confirms nothing.
    if (!contact || contact.deleted_at !== null || contact.email !== row.email)
      return { kind: 'invalid' };
    if (contact.status === 'confirmed') return { kind: 'alreadyConfirmed', ...done };

    await trx
      .updateTable('contacts')
      .set({ status: 'confirmed', email_confirmed_at: now, unsubscribed_at: null, updated_at: now })
      .where('id', '=', contact.id)
      .execute();
    await recordConsent(trx, {
      contactId: contact.id,
      kind: 'confirm',
      formType: row.form_type,
      ip: input.ip,
      userAgent: input.userAgent,
      now,
    });
    await appendEvent(tx, {
      type: eventName('emailConfirmed', row.form_type),
      contactId: contact.id,
      params: contactEventParams(contact),
      now,
    });
    return { kind: 'confirmed', ...done };
  });
}
