// A mail still on its way to SMTP when its lease runs out: must not be claimed and sent again.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultTimings } from '../server/config.ts';
import type { DialectCapabilities } from '../server/db/dialect.ts';
import type { DB } from '../server/db/open-database.ts';
import { createLogger } from '../server/logger.ts';
import { MailSender } from '../server/mail/sender.ts';
import { smtpTransport } from '../server/mail/transports.ts';
import { migratedDatabaseEach, testDialects } from './helpers/databases.ts';
import { until } from './helpers/workflow-dir.ts';

/** Accepts each message `delayMs` after its data ends; counts deliveries by recipient. */
async function slowSmtp(delayMs: number) {
  const received = new Map<string, number>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData: (stream, session, callback) => {
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
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function queue(db: DB, emails: string[]) {
  const now = Date.now();
  await db
    .insertInto('outbox')
    .values(
      emails.map((to, i) => ({
        kind: 'confirmation',
        idempotency_key: `lease-${i}`,
        contact_id: null,
        to_address: to,
        subject: 'hi',
        text_body: 'hi',
        html_body: '<p>hi</p>',
        headers: '{}',
        status: 'pending' as const,
        next_attempt_at: now,
        created_at: now,
      })),
    )
    .execute();
}

function senderFor(db: DB, dialect: DialectCapabilities, smtpUrl: string, workerId: string) {
  return new MailSender({
    db,
    dialect,
    transport: smtpTransport(smtpUrl),
    from: 'news@example.com',
    messageIdDomain: 'example.com',
    publicUrl: 'http://localhost',
    secretKey: 'x'.repeat(32),
    timings: { ...defaultTimings, mailLeaseMs: 1_500, mailPollMs: 100 },
    logger: createLogger('silent'),
    workerId,
    tracking: false,
  });
}

describe.each(testDialects())('a lease running out mid-send on %s', (dialect) => {
  const current = migratedDatabaseEach(dialect);
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  // With the default 60 s lease the same happens to a mail queued in the SMTP pool behind others
  // on a server that answers each message in ~15 s (each reply within the 20 s socket timeout):
  // nothing bounds how long a claimed row waits in the pool, so its lease can expire mid-send.
  it('sends each mail once although its send outlives the lease', async () => {
    const { db, dialect: caps } = current();
    const smtp = await slowSmtp(700);
    const now = Date.now();
    const emails = Array.from({ length: 30 }, (_, i) => `slow${i}@example.com`);
    await db
      .insertInto('outbox')
      .values(
        emails.map((to, i) => ({
          kind: 'confirmation',
          idempotency_key: `lease-${i}`,
          contact_id: null,
          to_address: to,
          subject: 'hi',
          text_body: 'hi',
          html_body: '<p>hi</p>',
          headers: '{}',
          status: 'pending' as const,
          next_attempt_at: now,
          created_at: now,
        })),
      )
      .execute();
    const sender = new MailSender({
      db,
      dialect: caps,
      transport: smtpTransport(smtp.url),
      from: 'news@example.com',
      messageIdDomain: 'example.com',
      publicUrl: 'http://localhost',
      secretKey: 'x'.repeat(32),
      timings: { ...defaultTimings, mailLeaseMs: 1_500, mailPollMs: 100 },
      logger: createLogger('silent'),
      workerId: 'w1',
      tracking: false,
    });
    stop = async () => {
      await sender.stop();
      await smtp.stop();
    };
    sender.start();
    await until(async () => {
      const left = await db
        .selectFrom('outbox')
        .select('id')
        .where('status', '=', 'pending')
        .execute();
      return left.length === 0;
    }, 20_000);
    await sender.stop();
    const twice = emails.filter((to) => (smtp.received.get(to) ?? 0) !== 1);
    expect(twice).toEqual([]);
  });
});

describe.each(testDialects())('stopping while sends outlive the lease on %s', (dialect) => {
  const current = migratedDatabaseEach(dialect);

  // stop() waits for the sends under way (SIGTERM), but its loop no longer renews their leases;
  // a peer process then takes the rows whose lease ran out and sends them again.
  it('keeps its sends leased while stopping, so a peer sends none of them again', async () => {
    const { db, dialect: caps } = current();
    const smtp = await slowSmtp(700);
    const emails = Array.from({ length: 30 }, (_, i) => `stopping${i}@example.com`);
    await queue(db, emails);
    const stopping = senderFor(db, caps, smtp.url, 'w1');
    const peer = senderFor(db, caps, smtp.url, 'w2');
    try {
      await stopping.drainOnce();
      const stopped = stopping.stop();
      peer.start();
      await stopped;
      await until(async () => {
        const left = await db.selectFrom('outbox').select('id').where('status', '=', 'pending');
        return (await left.execute()).length === 0;
      }, 20_000);
    } finally {
      await peer.stop();
      await smtp.stop();
    }
    const twice = emails.filter((to) => (smtp.received.get(to) ?? 0) !== 1);
    expect(twice).toEqual([]);
  });
});
