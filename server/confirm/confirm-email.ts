// The confirm verb: spends a DOI token, confirms the contact for its form and appends emailConfirmed[-formType].
import { recordConsent } from '../contacts/consents.ts';
import { joinPendingGroups } from '../contacts/pending-groups.ts';
import { findContactById, updateContact } from '../contacts/store/contact-rows.ts';
import { fittingFieldValues } from '../contacts/store/field-values.ts';
import { fillContact, type SubscriberFills } from '../contacts/upsert-contact.ts';
import type { DB } from '../db/open-database.ts';
import type { ConfirmTokensTable, ContactRow } from '../db/schema.ts';
import { type VerbContext, withTransaction } from '../db/unit-of-work.ts';
import { appendEvent, contactEventParams, eventName } from '../events/append-event.ts';
import { findConfirmToken } from './confirm-tokens.ts';

export type ConfirmOutcome =
  | { kind: 'confirmed' | 'alreadyConfirmed'; contactId: number; formType: string | null }
  | { kind: 'invalid' }
  | { kind: 'expired'; formType: string | null };

type TokenRow = Pick<ConfirmTokensTable, 'contact_id' | 'email' | 'form_type' | 'created_at'>;

/**
 * Whether a link still stands for its contact: `invalid` when the contact is gone or no longer has
 * the address the link was mailed to; `expired` when the contact unsubscribed after the link was
 * issued (only a link from a later subscribe can bring it back).
 */
async function linkState(
  db: DB,
  row: TokenRow,
  contact: ContactRow | undefined,
): Promise<'valid' | 'invalid' | 'expired'> {
  if (!contact || contact.email !== row.email) return 'invalid';
  // A link issued after a deletion (a subscribe asking the contact back) restores it; one from
  // before does not undo the deletion.
  if (contact.deleted_at !== null && contact.deleted_at > row.created_at) return 'invalid';
  return (await lastUnsubscribedAt(db, contact)) > row.created_at ? 'expired' : 'valid';
}

/** The contact's latest unsubscribe: its consent history, which confirming does not clear. */
async function lastUnsubscribedAt(db: DB, contact: ContactRow): Promise<number> {
  const last = await db
    .selectFrom('consents')
    .select((eb) => eb.fn.max('created_at').as('at'))
    .where('contact_id', '=', contact.id)
    .where('kind', '=', 'unsubscribe')
    .executeTakeFirst();
  return Math.max(Number(last?.at ?? 0), contact.unsubscribed_at ?? 0);
}

/** What the subscriber typed, without field values that no longer fit a definition changed since. */
async function fillsOf(db: DB, stored: string): Promise<SubscriberFills> {
  const fills = JSON.parse(stored) as SubscriberFills;
  return fills.fields ? { ...fills, fields: await fittingFieldValues(db, fills.fields) } : fills;
}

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
  const state = await linkState(db, row, await findContactById(db, row.contact_id));
  if (state === 'invalid') return { kind: 'invalid' };
  if (state === 'expired') return { kind: 'expired', formType: row.form_type };
  return { kind: 'pending', formType: row.form_type };
}

/**
 * Idempotent: a second call with the same token answers `alreadyConfirmed` and appends nothing.
 * Confirming moves the groups pending on the link's form into memberships and fills in what the
 * subscriber typed; it (re-)confirms an unconfirmed or unsubscribed contact.
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
    const found = await findContactById(trx, row.contact_id);
    const state = await linkState(trx, row, found);
    if (state === 'invalid' || !found) return { kind: 'invalid' };
    if (state === 'expired') return { kind: 'expired', formType: row.form_type };
    // Only one concurrent POST wins the token; the other reports success without an event.
    const spent = await trx
      .updateTable('confirm_tokens')
      .set({ used_at: now })
      .where('id', '=', row.id)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    if (spent.numUpdatedRows === 0n) return { kind: 'alreadyConfirmed', ...done };

    let contact = found;
    const wasConfirmed = contact.status === 'confirmed';
    if (!wasConfirmed) contact = await updateContact(trx, contact, { status: 'confirmed' }, now);
    const joined = row.form_type
      ? await joinPendingGroups(trx, { contactId: contact.id, formType: row.form_type, now })
      : 0;
    if (row.fills) contact = await fillContact(trx, contact, await fillsOf(trx, row.fills), now);
    if (wasConfirmed && joined === 0 && !row.fills) return { kind: 'alreadyConfirmed', ...done };

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
