// The confirmation-mail budget: per mailbox (sub-addresses count as one) and per recipient domain.
import type { Timings } from '../config.ts';
import type { Mailbox } from '../contacts/mailbox.ts';
import type { DB } from '../db/open-database.ts';

const DAY_MS = 24 * 3600_000;

/** `allowed`, or which budget a new confirmation mail would exceed. */
export type ConfirmationBudget = 'allowed' | 'mailbox' | 'domain';

/**
 * Counts the confirmation links issued (one per mail) to the mailbox and to its domain. The
 * cooldown is per form, so someone joining two forms in a row gets both mails; the daily cap is
 * per mailbox. Callers hold the mailbox's identity lock, so two requests cannot both pass.
 * @example await confirmationBudget(db, mailboxOf('ann+1@example.com'), 'newsletter', t, now)
 */
export async function confirmationBudget(
  db: DB,
  { mailbox, domain }: Mailbox,
  formType: string | null,
  t: Timings,
  now: number,
): Promise<ConfirmationBudget> {
  const recent = await db
    .selectFrom('confirm_tokens')
    .select(['created_at', 'form_type'])
    .where('mailbox', '=', mailbox)
    .where('created_at', '>', now - DAY_MS)
    .execute();
  if (recent.length >= t.confirmationsPerDay) return 'mailbox';
  const cooling = (r: (typeof recent)[number]) =>
    r.form_type === formType && r.created_at > now - t.confirmationCooldownMs;
  if (recent.some(cooling)) return 'mailbox';
  const { n } = await db
    .selectFrom('confirm_tokens')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('domain', '=', domain)
    .where('created_at', '>', now - t.confirmationDomainWindowMs)
    .executeTakeFirstOrThrow();
  return Number(n) >= t.confirmationsPerDomain ? 'domain' : 'allowed';
}
