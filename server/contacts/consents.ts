// Consent records: who agreed (or withdrew), through which form, from where and when.
import type { DB } from '../db/open-database.ts';
import { insertRow } from '../db/row-inserts.ts';
import type { ConsentsTable } from '../db/schema.ts';
import { NotFoundError } from '../errors.ts';
import { findContactById } from './store/contact-rows.ts';

export async function recordConsent(
  db: DB,
  input: {
    contactId: number;
    kind: ConsentsTable['kind'];
    formType: string | null;
    ip: string | null;
    userAgent: string | null;
    now: number;
  },
): Promise<void> {
  await insertRow(db, 'consents', {
    contact_id: input.contactId,
    kind: input.kind,
    form_type: input.formType,
    ip: input.ip,
    user_agent: input.userAgent,
    created_at: input.now,
  });
}

/** GDPR erasure: a contact's consents keep what was agreed, through which form and when, not from where. */
export async function eraseConsentOrigins(db: DB, contactId: number): Promise<void> {
  await db
    .updateTable('consents')
    .set({ ip: null, user_agent: null })
    .where('contact_id', '=', contactId)
    .execute();
}

/**
 * Retention, `limit` rows at a time: the consents of contacts erased (GDPR: deleted, with no email,
 * phone or external id left) before `erasedBefore`. They were kept as a record of what had been
 * agreed; once the person is erased and the period is over, nobody is left to show it to.
 * Returns how many went.
 */
export async function pruneErasedConsents(
  db: DB,
  opts: { erasedBefore: number; limit: number },
): Promise<number> {
  const erased = db
    .selectFrom('consents')
    .innerJoin('contacts', 'contacts.id', 'consents.contact_id')
    .select('consents.id')
    .where('contacts.status', '=', 'deleted')
    .where('contacts.deleted_at', '<', opts.erasedBefore)
    .where('contacts.email', 'is', null)
    .where('contacts.phone', 'is', null)
    .where('contacts.external_id', 'is', null)
    .limit(opts.limit);
  const result = await db.deleteFrom('consents').where('id', 'in', erased).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** A contact's consent records, oldest first: the proof of what it agreed to, where and when. */
export async function listConsents(db: DB, contactId: number) {
  if (!(await findContactById(db, contactId)))
    throw new NotFoundError(`contact ${contactId} not found`);
  const rows = await db
    .selectFrom('consents')
    .selectAll()
    .where('contact_id', '=', contactId)
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind,
    formType: row.form_type,
    ip: row.ip,
    userAgent: row.user_agent,
    createdAt: new Date(row.created_at).toISOString(),
  }));
}
