// The per-mailbox confirmation throttle: a mailbox (sub-addresses count as one) gets few DOI mails.
import type { Timings } from '../config.ts';
import type { Mailbox } from '../contacts/mailbox.ts';
import type { DB } from '../db/open-database.ts';
import { runShape, shapeText } from '../db/statement-shapes.ts';

const DAY_MS = 24 * 3600_000;

/**
 * True when the mailbox may get another confirmation mail. The cooldown is per form, so someone
 * joining two forms in a row gets both mails; the daily cap is per mailbox. A mail over this
 * throttle is dropped (the person already has a link); budgets per domain and per form pace mail
 * instead (confirmation-pacing.ts). Callers hold the mailbox's identity lock, so two requests
 * cannot both pass.
 * @example await mailboxMayGetConfirmation(db, mailboxOf('ann+1@example.com'), 'newsletter', t, now)
 */
export async function mailboxMayGetConfirmation(
  db: DB,
  { mailbox }: Mailbox,
  formType: string | null,
  t: Timings,
  now: number,
): Promise<boolean> {
  const text = shapeText(db, 'confirm_tokens:by-mailbox', () =>
    db
      .selectFrom('confirm_tokens')
      .select(['created_at', 'form_type'])
      .where('mailbox', '=', mailbox)
      .where('created_at', '>', now - DAY_MS)
      .compile(),
  );
  const { rows: recent } = await runShape<{ created_at: number; form_type: string | null }>(
    db,
    text,
    [mailbox, now - DAY_MS],
  );
  if (recent.length >= t.confirmationsPerDay) return false;
  const cooling = (r: (typeof recent)[number]) =>
    r.form_type === formType && r.created_at > now - t.confirmationCooldownMs;
  return !recent.some(cooling);
}
