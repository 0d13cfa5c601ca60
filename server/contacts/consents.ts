// Consent records: who agreed (or withdrew), through which form, from where and when.
import type { DB } from '../db/open-database.ts';
import type { ConsentsTable } from '../db/schema.ts';

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
  await db
    .insertInto('consents')
    .values({
      contact_id: input.contactId,
      kind: input.kind,
      form_type: input.formType,
      ip: input.ip,
      user_agent: input.userAgent,
      created_at: input.now,
    })
    .execute();
}

/** GDPR erasure: a contact's consents keep what was agreed, through which form and when, not from where. */
export async function eraseConsentOrigins(db: DB, contactId: number): Promise<void> {
  await db
    .updateTable('consents')
    .set({ ip: null, user_agent: null })
    .where('contact_id', '=', contactId)
    .execute();
}
