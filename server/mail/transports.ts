// Where mail goes: SMTP (pooled nodemailer in a worker thread) or the dev mailbox table.
import type { DB } from '../db/open-database.ts';
import type { DkimSigning } from '../deliverability/dkim.ts';
import { SmtpThread } from './smtp-thread.ts';

export interface OutgoingMail {
  outboxId: number;
  messageId: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
  /** Envelope sender (Return-Path), where bounces go: unset, the From address. */
  returnPath?: string;
}

export interface MailTransport {
  readonly kind: 'smtp' | 'dev-mailbox';
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/** An SMTP failure that will not get better by retrying (5xx reply). */
export function isPermanentSmtpError(error: unknown): boolean {
  const code = (error as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

export interface SmtpOptions {
  /** Signs every mail (nodemailer's `dkim` option). */
  dkim?: DkimSigning;
}

export function smtpTransport(url: string, options: SmtpOptions = {}): MailTransport {
  const thread = new SmtpThread({
    url,
    ...(options.dkim ? { dkim: options.dkim } : {}),
    pool: true,
    maxConnections: 10,
    // The outbox owns retries (backoff, leases, cancellation): a mail the pool re-queued by itself
    // after a dropped connection could outlive its lease and go out from two senders.
    maxRequeues: 0,
    // Well below the outbox lease, so a hung server cannot make two processes send one row.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  return {
    kind: 'smtp',
    async send(mail) {
      await thread.send({
        messageId: mail.messageId,
        from: mail.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        headers: mail.headers,
        ...(mail.returnPath ? { envelope: { from: mail.returnPath, to: mail.to } } : {}),
      });
    },
    close: () => thread.close(),
  };
}

/** Keeps mail in the database for `/dev/mailbox` when no SMTP_URL is configured. */
export function devMailboxTransport(db: DB): MailTransport {
  return {
    kind: 'dev-mailbox',
    async send(mail) {
      await db
        .insertInto('dev_mailbox')
        .values({
          outbox_id: mail.outboxId,
          message_id: mail.messageId,
          from_address: mail.from,
          to_address: mail.to,
          subject: mail.subject,
          text_body: mail.text,
          html_body: mail.html,
          headers: JSON.stringify(mail.headers),
          created_at: Date.now(),
        })
        .onConflict((oc) => oc.column('outbox_id').doNothing())
        .execute();
    },
    close: () => {},
  };
}
