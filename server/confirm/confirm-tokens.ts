// Double opt-in tokens: random, stored as a SHA-256 hash, single-use, expiring.
import { createHash, randomBytes } from 'node:crypto';
import { mailboxOf } from '../contacts/mailbox.ts';
import type { SubscriberFills } from '../contacts/upsert-contact.ts';
import type { DB } from '../db/open-database.ts';
import { insertRow } from '../db/row-inserts.ts';

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** Creates a token row and returns the clear token (only the hash is stored). */
export async function createConfirmToken(
  db: DB,
  input: {
    contactId: number;
    email: string;
    formType: string | null;
    /** What an anonymous post typed for an existing contact, applied when the link is used. */
    fills: SubscriberFills | undefined;
    ttlMs: number;
    now: number;
  },
): Promise<{ id: number; token: string }> {
  const token = randomBytes(32).toString('base64url');
  const { mailbox, domain } = mailboxOf(input.email);
  const row = await insertRow<'confirm_tokens', { id: number }>(
    db,
    'confirm_tokens',
    {
      token_hash: hashToken(token),
      contact_id: input.contactId,
      email: input.email,
      form_type: input.formType,
      mailbox,
      domain,
      fills: input.fills ? JSON.stringify(input.fills) : null,
      expires_at: input.now + input.ttlMs,
      created_at: input.now,
    },
    { returning: ['id'] },
  );
  return { id: Number(row?.id), token };
}

/** Keeps a token valid `ms` longer: its mail goes out that much later (a paced budget). */
export async function extendConfirmToken(db: DB, id: number, ms: number): Promise<void> {
  await db
    .updateTable('confirm_tokens')
    .set((eb) => ({ expires_at: eb('expires_at', '+', ms) }))
    .where('id', '=', id)
    .execute();
}

export async function findConfirmToken(db: DB, token: string) {
  return db
    .selectFrom('confirm_tokens')
    .selectAll()
    .where('token_hash', '=', hashToken(token))
    .executeTakeFirst();
}

/** GDPR erasure: a contact's links go (they hold its address); an erased contact confirms nothing. */
export async function deleteConfirmTokensOf(db: DB, contactId: number): Promise<void> {
  await db.deleteFrom('confirm_tokens').where('contact_id', '=', contactId).execute();
}
