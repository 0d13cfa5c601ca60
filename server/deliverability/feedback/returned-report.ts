// A report that came back to a mail's signed return path, applied to that mail and nobody else.
import type { VerbContext } from '../../db/unit-of-work.ts';
import type { Logger } from '../../logger.ts';
import { applyFeedback, type MailFeedback } from './apply-feedback.ts';
import { feedbackFromReport } from './dsn-report.ts';

export interface ReturnedReport {
  /** The outbox row whose signed return path the report was sent to (return-path.ts). */
  outboxId: number;
  raw: Buffer;
  now: number;
}

/** Why a piece of feedback does not fit the mail its return path names, if it does not. */
function mismatch(
  item: MailFeedback,
  mail: { to_address: string; message_id: string | null },
): 'recipient' | 'message-id' | undefined {
  if (item.email !== mail.to_address.trim().toLowerCase()) return 'recipient';
  if (item.messageId && mail.message_id && item.messageId !== mail.message_id) return 'message-id';
  return undefined;
}

/**
 * Applies what the report says about the mail its return path names. The signed address is what
 * makes the report credible; its own claims (Final-Recipient, the quoted Message-ID) are only
 * cross-checked: feedback about another recipient or another mail is ignored and logged, so the
 * one person who sees a return path (its recipient) can report nobody but themselves.
 * @example await applyReturnedReport(ctx, { outboxId: 12, raw, now: Date.now() }, logger)
 */
export async function applyReturnedReport(
  ctx: VerbContext,
  report: ReturnedReport,
  logger: Logger,
): Promise<void> {
  const log = logger.child({ outboxId: report.outboxId });
  const feedback = await feedbackFromReport(report.raw);
  if (feedback.length === 0) {
    log.info('bounce mailbox: a mail that is no report');
    return;
  }
  const mail = await ctx.db
    .selectFrom('outbox')
    .select(['id', 'to_address', 'message_id'])
    .where('id', '=', report.outboxId)
    .executeTakeFirst();
  if (!mail) {
    log.warn('bounce mailbox: a report about a mail no longer kept; dropped');
    return;
  }
  for (const item of feedback) {
    const wrong = mismatch(item, mail);
    if (wrong) {
      log.warn({ mismatch: wrong }, 'bounce mailbox: a report about another mail; ignored');
      continue;
    }
    // The claimed Message-ID is not recorded: the row's own is, once it was sent.
    const { messageId: _claimed, ...rest } = item;
    await applyFeedback(ctx, { ...rest, outboxId: mail.id }, report.now);
  }
}
