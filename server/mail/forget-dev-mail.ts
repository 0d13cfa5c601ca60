// GDPR erasure in the dev mailbox (the mail kept instead of sent when no SMTP_URL is set).
import type { DB } from '../db/open-database.ts';

/**
 * DELETE FROM dev_mailbox WHERE outbox_id IN (the contact's outbox rows) OR lower(to_address) = address
 * The address also catches mail that reached it under another contact (before an email moved).
 */
export async function forgetDevMail(
  db: DB,
  by: { contactId: number; address: string | null },
): Promise<void> {
  const { contactId, address } = by;
  const contactMail = db.selectFrom('outbox').select('id').where('contact_id', '=', contactId);
  await db
    .deleteFrom('dev_mailbox')
    .where((eb) =>
      eb.or([
        eb('outbox_id', 'in', contactMail),
        ...(address ? [eb(eb.fn('lower', ['to_address']), '=', address.toLowerCase())] : []),
      ]),
    )
    .execute();
}
