// The dev mailbox (mail kept instead of sent when no SMTP_URL is set): GDPR erasure and retention.
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

/**
 * Retention in the dev mailbox, `limit` copies at a time: those kept since before `before` go, as
 * their outbox rows do (mail/outbox/prune-mail.ts). Returns how many went.
 */
export async function pruneDevMail(
  db: DB,
  opts: { before: number; limit: number },
): Promise<number> {
  const old = db
    .selectFrom('dev_mailbox')
    .select('id')
    .where('created_at', '<', opts.before)
    .orderBy('id')
    .limit(opts.limit);
  const result = await db.deleteFrom('dev_mailbox').where('id', 'in', old).executeTakeFirst();
  return Number(result.numDeletedRows);
}
