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
import { withdrawSuppressed } from './outbox/cancel-mail.ts';
import { claimDueMail, renewMailLeases } from './outbox/claim-due-mail.ts';
import { markFailed, markRetry, markSent } from './outbox/record-attempt.ts';
import { isPermanentSmtpError, type MailTransport } from './transports.ts';

/**
 * Most sends under way at once (a pass claims only what is left of it): enough to keep the SMTP
 * pool's 10 connections busy at a few hundred mails a second. On a stalled server a mail queued
 * behind four others can outlive its claim-time lease (each waits out its own timeouts), so each
 * pass renews the leases of sends still under way.
 */
const MAX_IN_FLIGHT = 50;

/** A mail the transport accepted, to be marked sent by the next pass. */
interface Accepted {
  row: OutboxRow;
  messageId: string;
}

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

const sentActivity = ({ row, messageId }: Accepted) => ({
  action: 'sent' as const,
  contactId: row.contact_id,
  outboxId: row.id,
  messageId,
  email: row.to_address,
  workflow: row.workflow,
  step: row.step,
});

/**
 * Sends are not awaited by the pass that claimed them: each pass records what the transport
 * accepted since the last one and claims more due mail, in one transaction (one commit, which is
 * what SQLite pays for), and a finished send wakes the loop. So a slow mail never holds up the
 * next claim, and the transaction never spans SMTP I/O.
 */
export class MailSender {
  private readonly loop: BackgroundLoop;
  /** Sends under way by outbox id, with when their lease runs out. */
  private readonly inFlight = new Map<number, { sending: Promise<void>; leaseUntil: number }>();
  private accepted: Accepted[] = [];

  constructor(private readonly opts: MailSenderOptions) {
    this.loop = new BackgroundLoop({
      name: 'mail sender',
      logger: opts.logger,
      // A full claim means more may be due; a finished send wakes the loop in any case.
      pass: async () => (await this.drainOnce()) === MAX_IN_FLIGHT,
      // Often enough to renew the leases of sends under way before they run out.
      idleMs: () => Math.min(opts.timings.mailPollMs, opts.timings.mailLeaseMs / 4),
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

  /**
   * Lets the sends in flight finish, then stops. Until the last one is done it records each as it
   * finishes and renews the leases of the others: waiting for all, a slow SMTP server could make
   * leases run out and a peer send those mails again.
   */
  async stop(): Promise<void> {
    await this.loop.stop();
    while (this.inFlight.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const tick = new Promise((resolve) => {
        timer = setTimeout(resolve, this.opts.timings.mailLeaseMs / 4);
      });
      await Promise.race([tick, ...[...this.inFlight.values()].map((s) => s.sending)]);
      clearTimeout(timer);
      await this.pass(0).catch((err) =>
        this.opts.logger.error({ err }, 'mail sender: recording while stopping failed; will retry'),
      );
    }
    await this.record(this.opts.db, this.takeAccepted());
    this.opts.transport.close();
  }

  /**
   * Marks the mails accepted since the last pass as sent and starts sending the due rows there is
   * room for; returns how many rows it claimed.
   */
  drainOnce(): Promise<number> {
    return this.pass(MAX_IN_FLIGHT - this.inFlight.size);
  }

  private async pass(room: number): Promise<number> {
    const { db } = this.opts;
    const accepted = this.takeAccepted();
    const expiring = this.expiringLeases();
    const leaseUntil = Date.now() + this.opts.timings.mailLeaseMs;
    let rows: OutboxRow[];
    try {
      rows =
        accepted.length || expiring.length
          ? await db.transaction().execute(async (trx) => {
              await this.record(trx, accepted);
              await renewMailLeases(trx, {
                ids: expiring,
                until: leaseUntil,
                workerId: this.opts.workerId,
              });
              return this.claim(trx, room);
            })
          : await this.claim(db, room);
    } catch (error) {
      // Unrecorded, they would be sent again once their lease ran out.
      this.accepted.unshift(...accepted);
      throw error;
    }
    // Only once committed: a renewal rolled back is tried again at the next pass.
    for (const id of expiring) {
      const send = this.inFlight.get(id);
      if (send) send.leaseUntil = leaseUntil;
    }
    for (const row of rows) this.track(row);
    return rows.length;
  }

  private takeAccepted(): Accepted[] {
    const accepted = this.accepted;
    this.accepted = [];
    return accepted;
  }

  private async claim(db: DB, limit: number): Promise<OutboxRow[]> {
    if (limit <= 0) return [];
    const rows = await claimDueMail(db, this.opts.dialect, {
      now: Date.now(),
      leaseMs: this.opts.timings.mailLeaseMs,
      limit,
      workerId: this.opts.workerId,
      skip: [...this.inFlight.keys()],
    });
    return withdrawSuppressed(db, rows);
  }

  /** Sends under way past half their lease: renewed now, long before a peer could take them. */
  private expiringLeases(): number[] {
    const renewBy = Date.now() + this.opts.timings.mailLeaseMs / 2;
    return [...this.inFlight].filter(([, s]) => s.leaseUntil <= renewBy).map(([id]) => id);
  }

  private async record(db: DB, accepted: Accepted[]): Promise<void> {
    if (accepted.length === 0) return;
    const now = Date.now();
    await markSent(
      db,
      accepted.map(({ row, messageId }) => ({ id: row.id, messageId })),
      now,
    );
    await recordActivities(db, accepted.map(sentActivity), now);
  }

  private track(row: OutboxRow): void {
    const sending = this.deliver(row).then((accepted) => {
      this.inFlight.delete(row.id);
      if (accepted) this.accepted.push(accepted);
      this.loop.wake();
    });
    this.inFlight.set(row.id, { sending, leaseUntil: row.locked_until ?? 0 });
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

  /**
   * Hands one mail to the transport; returns it when accepted (marked sent by a later pass), and
   * records a failure itself. Never rejects.
   */
  private async deliver(row: OutboxRow): Promise<Accepted | undefined> {
    const { transport, logger, bounceAddress, secretKey } = this.opts;
    const messageId = messageIdFor(row, this.opts.messageIdDomain);
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
      await this.recordFailure(row, coerceError(thrown), isPermanentSmtpError(thrown));
      return undefined;
    }
    logger.info(
      { outboxId: row.id, kind: row.kind, attempt: row.attempts, messageId },
      'mail sent',
    );
    return { row, messageId };
  }

  /** A mail left unrecorded here (the database failed too) is retried once its lease runs out. */
  private async recordFailure(row: OutboxRow, error: Error, permanent: boolean): Promise<void> {
    const { db, timings } = this.opts;
    const log = this.opts.logger.child({ outboxId: row.id, kind: row.kind, attempt: row.attempts });
    try {
      if (permanent || row.attempts >= timings.mailMaxAttempts) {
        log.error({ err: error }, 'mail failed permanently');
        await markFailed(db, row.id, error.message);
        return;
      }
      const delay = backoffMs(row.attempts, timings.mailFirstBackoffMs, timings.mailMaxBackoffMs);
      log.warn({ err: error.message, retryInMs: delay }, 'mail delivery failed; will retry');
      await markRetry(db, row.id, error.message, Date.now() + delay);
    } catch (err) {
      log.error({ err }, 'mail outcome not recorded; retried when its lease runs out');
    }
  }
}
