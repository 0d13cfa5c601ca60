// An address suppressed while a mail to it is being queued (concurrent transactions) gets no mail.
import { afterEach, describe, expect, it } from 'vitest';
import { defaultTimings } from '../server/config.ts';
import { noWakeups, withTransaction } from '../server/db/unit-of-work.ts';
import { suppressAddress } from '../server/deliverability/suppressions/suppression-rows.ts';
import { createLogger } from '../server/logger.ts';
import { enqueueMail } from '../server/mail/outbox/enqueue-mail.ts';
import { MailSender } from '../server/mail/sender.ts';
import { devMailboxTransport } from '../server/mail/transports.ts';
import { migratedDatabaseEach, testDialects } from './helpers/databases.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(testDialects())('suppression racing a queued mail on %s', (dialect) => {
  const current = migratedDatabaseEach(dialect);
  let sender: MailSender | undefined;
  afterEach(async () => {
    await sender?.stop();
    sender = undefined;
  });

  // On PostgreSQL (read committed) the enqueue checks the suppression list before the suppression
  // commits, and the suppression's cancel cannot see the not yet committed outbox row: nothing
  // withdraws the mail. SQLite serialises the two transactions, so there it cannot interleave.
  it('sends nothing to an address suppressed while its mail was being queued', async () => {
    const { db, dialect: caps } = current();
    const email = 'racer@example.com';
    let suppressed = false;
    const queueing = withTransaction({ db, wakeups: noWakeups }, async (tx) => {
      await enqueueMail(
        tx,
        {
          kind: 'workflow',
          idempotencyKey: 'race-1',
          contactId: null,
          to: email,
          subject: 'hello',
          text: 'hello',
          html: '<p>hello</p>',
        },
        Date.now(),
      );
      // Held open until the suppression committed (PostgreSQL), or a moment (SQLite, which runs
      // the suppression only after this commits).
      for (let i = 0; i < 20 && !suppressed; i++) await sleep(25);
    });
    await sleep(50);
    await withTransaction({ db, wakeups: noWakeups }, (tx) =>
      suppressAddress(tx, { email, reason: 'manual', now: Date.now() }),
    );
    suppressed = true;
    await queueing;

    sender = new MailSender({
      db,
      dialect: caps,
      transport: devMailboxTransport(db),
      from: 'news@example.com',
      messageIdDomain: 'example.com',
      publicUrl: 'http://localhost',
      secretKey: 'x'.repeat(32),
      timings: defaultTimings,
      logger: createLogger('silent'),
      workerId: 'w1',
      tracking: false,
    });
    await sender.drainOnce();
    await sender.stop();
    sender = undefined;
    const delivered = await db.selectFrom('dev_mailbox').select('to_address').execute();
    expect(delivered).toEqual([]);
    const [row] = await db.selectFrom('outbox').select('status').execute();
    expect(row?.status).not.toBe('pending');
  });
});
