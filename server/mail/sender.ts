// The sender loop: claims due outbox rows, hands them to the transport, records each outcome.
import { createHash } from 'node:crypto';
import { backoffMs } from '../background/backoff.ts';
import { BackgroundLoop } from '../background/loop.ts';
import type { Timings } from '../config.ts';
import { unsubscribeUrl } from '../confirm/unsubscribe.ts';
import type { DialectCapabilities } from '../db/dialect.ts';
import type { DB } from '../db/open-database.ts';
import type { OutboxRow } from '../db/schema.ts';
import { recordActivities } from '../deliverability/activities/record-activity.ts';
import { returnPathFor } from '../deliverability/feedback/return-path.ts';
import { addTracking } from '../deliverability/tracking/tracking-links.ts';
import { coerceError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { claimDueMail } from './outbox/claim-due-mail.ts';
import { markFailed, markRetry, markSent } from './outbox/record-attempt.ts';
import { isPermanentSmtpError, type MailTransport } from './transports.ts';

// Enough to keep the SMTP pool busy between two claims at a few hundred mails a second.
const BATCH = 50;

export interface MailSenderOptions {
  db: DB;
  dialect: DialectCapabilities;
  transport: MailTransport;
  from: string;
  /** Domain for Message-IDs. */
  messageIdDomain: string;
  /** For the unsubscribe link every mail but a confirmation carries. */
  publicUrl: string;
  secretKey: string;
  timings: Timings;
  logger: Logger;
  /** This process's identity for claims (background/worker-registry.ts). */
  workerId: string;
  /** TRACKING: rows queued as tracked get the open pixel and click redirects (false: none do). */
  tracking: boolean;
  /** BOUNCE_ADDRESS: each mail's envelope sender is its signed sub-address (feedback/return-path.ts). */
  bounceAddress?: string;
}

/** Stable per outbox row, so a retry of the same mail carries the same Message-ID. */
export function messageIdFor(
  row: Pick<OutboxRow, 'id' | 'idempotency_key'>,
  domain: string,
): string {
  const digest = createHash('sha256').update(row.idempotency_key).digest('hex').slice(0, 20);
  return `<${digest}.${row.id}@${domain}>`;
}

/**
 * RFC 8058 one-click unsubscribe on every mail to a contact except the confirmation itself, added
 * here so no caller can forget it.
 */
export function listUnsubscribeHeaders(
  row: Pick<OutboxRow, 'kind' | 'contact_id'>,
  publicUrl: string,
  secretKey: string,
): Record<string, string> {
  if (row.kind === 'confirmation' || row.contact_id === null) return {};
  return {
    'List-Unsubscribe': `<${unsubscribeUrl(publicUrl, secretKey, row.contact_id)}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };
}

const sentActivity = ({ row, messageId }: { row: OutboxRow; messageId: string }) => ({
  action: 'sent' as const,
  contactId: row.contact_id,
  outboxId: row.id,
  messageId,
  email: row.to_address,
  workflow: row.workflow,
  step: row.step,
});

export class MailSender {
  private readonly loop: BackgroundLoop;

  constructor(private readonly opts: MailSenderOptions) {
    this.loop = new BackgroundLoop({
      name: 'mail sender',
      logger: opts.logger,
      pass: async () => (await this.drainOnce()) === BATCH,
      idleMs: () => opts.timings.mailPollMs,
      minIntervalMs: 10,
    });
  }

  start(): void {
    this.loop.start();
  }

  /** Asks the loop to look for due mail now instead of at the next poll. */
  wake(): void {
    this.loop.wake();
  }

  /** Finishes the batch in flight, then stops. */
  async stop(): Promise<void> {
    await this.loop.stop();
    this.opts.transport.close();
  }

  /** Sends everything that is due now; returns how many rows were attempted. */
  async drainOnce(): Promise<number> {
    const { db, dialect, timings } = this.opts;
    const rows = await claimDueMail(db, dialect, {
      now: Date.now(),
      leaseMs: timings.mailLeaseMs,
      limit: BATCH,
      workerId: this.opts.workerId,
    });
    const sent = (await Promise.all(rows.map((row) => this.deliver(row)))).filter(
      (r) => r !== undefined,
    );
    // One commit for the whole batch: commits, not statements, are what SQLite pays for.
    if (sent.length) {
      const now = Date.now();
      await db.transaction().execute(async (trx) => {
        for (const { row, messageId } of sent) await markSent(trx, row.id, messageId, now);
        await recordActivities(trx, sent.map(sentActivity), now);
      });
    }
    return rows.length;
  }

  /** Tracking is added at each attempt, from the row's id, so the queued mail stays as rendered. */
  private htmlOf(row: OutboxRow): string {
    if (!row.tracked || !this.opts.tracking) return row.html_body;
    const { publicUrl, secretKey } = this.opts;
    const unsubscribe = `${publicUrl}/unsubscribe/`;
    return addTracking(row.html_body, {
      publicUrl,
      secret: secretKey,
      outboxId: row.id,
      keep: (url) => url.startsWith(unsubscribe),
    });
  }

  /** Hands one mail to the transport; returns it when accepted (marked sent by the caller). */
  private async deliver(
    row: OutboxRow,
  ): Promise<{ row: OutboxRow; messageId: string } | undefined> {
    const { db, transport, timings, logger, bounceAddress, secretKey } = this.opts;
    const messageId = messageIdFor(row, this.opts.messageIdDomain);
    const log = logger.child({ outboxId: row.id, kind: row.kind, attempt: row.attempts });
    try {
      await transport.send({
        outboxId: row.id,
        messageId,
        from: this.opts.from,
        to: row.to_address,
        subject: row.subject,
        text: row.text_body,
        html: this.htmlOf(row),
        headers: {
          ...JSON.parse(row.headers),
          ...listUnsubscribeHeaders(row, this.opts.publicUrl, secretKey),
        },
        ...(bounceAddress ? { returnPath: returnPathFor(bounceAddress, secretKey, row.id) } : {}),
      });
    } catch (thrown) {
      const error = coerceError(thrown);
      if (isPermanentSmtpError(thrown) || row.attempts >= timings.mailMaxAttempts) {
        log.error({ err: error }, 'mail failed permanently');
        await markFailed(db, row.id, error.message);
        return undefined;
      }
      const delay = backoffMs(row.attempts, timings.mailFirstBackoffMs, timings.mailMaxBackoffMs);
      log.warn({ err: error.message, retryInMs: delay }, 'mail delivery failed; will retry');
      await markRetry(db, row.id, error.message, Date.now() + delay);
      return undefined;
    }
    log.info({ messageId }, 'mail sent');
    return { row, messageId };
  }
}
