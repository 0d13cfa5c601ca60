// Mail tests' fixtures: a slow real SMTP server, queued outbox rows, and a sender on a handle.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { defaultTimings, type Timings } from '../../server/config.ts';
import type { DialectCapabilities } from '../../server/db/dialect.ts';
import type { DB } from '../../server/db/open-database.ts';
import type { OutboxRow } from '../../server/db/schema.ts';
import { createLogger } from '../../server/logger.ts';
import { MailSender } from '../../server/mail/sender.ts';
import { smtpTransport } from '../../server/mail/transports.ts';

/** An SMTP server that accepts each message `delayMs` after its data ends; counts them by recipient. */
export async function slowSmtp(delayMs: number) {
  const received = new Map<string, number>();
  let receiving = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData: (stream, session, callback) => {
      receiving++;
      stream.resume();
      stream.on('end', () =>
        setTimeout(() => {
          for (const to of session.envelope.rcptTo)
            received.set(to.address, (received.get(to.address) ?? 0) + 1);
          callback();
        }, delayMs),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    /** Messages whose data has started to arrive. */
    receiving: () => receiving,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Pending confirmation mails to `emails`, due now, written directly (a fixture); their ids. */
export async function queueMail(
  db: DB,
  emails: string[],
  extra: Partial<Pick<OutboxRow, 'locked_until' | 'locked_by'>> = {},
): Promise<number[]> {
  const now = Date.now();
  const rows = await db
    .insertInto('outbox')
    .values(
      emails.map((to) => ({
        kind: 'confirmation',
        idempotency_key: `fixture:${to}`,
        contact_id: null,
        to_address: to,
        subject: 'hi',
        text_body: 'hi',
        html_body: '<p>hi</p>',
        headers: '{}',
        status: 'pending' as const,
        next_attempt_at: now,
        created_at: now,
        ...extra,
      })),
    )
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/** A mail sender on `db` sending through `smtpUrl` as worker `workerId`, without tracking. */
export function senderFor(
  handle: { db: DB; dialect: DialectCapabilities },
  smtpUrl: string,
  workerId: string,
  timings: Partial<Timings> = {},
): MailSender {
  return new MailSender({
    db: handle.db,
    dialect: handle.dialect,
    transport: smtpTransport(smtpUrl),
    from: 'news@example.com',
    messageIdDomain: 'example.com',
    publicUrl: 'http://localhost',
    secretKey: 'x'.repeat(32),
    timings: { ...defaultTimings, ...timings },
    logger: createLogger('silent'),
    workerId,
    tracking: false,
  });
}
