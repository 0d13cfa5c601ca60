// The confirmation throttle counts mailboxes, not spellings (victim+1@, Victim@); domains are paced.
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultTimings } from '../server/config.ts';
import { queueConfirmationMail } from '../server/confirm/queue-confirmation.ts';
import { withTransaction } from '../server/db/unit-of-work.ts';
import { createTestDatabase, type TestDatabase, testDialects } from './helpers/databases.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { TestSmtp } from './helpers/smtp.ts';
import { until } from './helpers/workflow-dir.ts';

describe.each(testDialects())('confirmation throttle on %s', (dialect) => {
  let database: TestDatabase;
  let smtp: TestSmtp;
  let server: TestServer;

  beforeEach(async () => {
    database = await createTestDatabase(dialect);
    smtp = await new TestSmtp().start();
    // Three a window of 900 ms: one mail at once, then one every 300 ms.
    server = await startTestServer(
      { DATABASE_URL: database.url, SMTP_URL: smtp.url, CONFIRMATIONS_PER_DOMAIN: '3' },
      { confirmationBudgetWindowMs: 900 },
    );
  });

  afterEach(async () => {
    await server.close();
    await smtp.stop();
    await database.drop();
  });

  /**
   * Posts every address, waits until the outbox has nothing left to send (so no more mail can come)
   * and answers the outbox rows queued to addresses matching `to`, once each has reached SMTP.
   */
  const postAll = async (emails: string[], to: RegExp) => {
    const bodies = new Set<string>();
    for (const email of emails) {
      const res = await server.subscribe('newsletter', { email });
      expect(res.status).toBe(202);
      bodies.add(await res.text());
    }
    const db = server.database.db;
    await until(async () => {
      const pending = await db
        .selectFrom('outbox')
        .select('id')
        .where('status', '!=', 'sent')
        .execute();
      return pending.length === 0;
    });
    const queued = (await db.selectFrom('outbox').select('to_address').execute()).filter((r) =>
      to.test(r.to_address),
    );
    await until(async () => smtp.mails.filter((m) => to.test(m.to)).length >= queued.length);
    expect(smtp.mails.filter((m) => to.test(m.to))).toHaveLength(queued.length);
    return { bodies, mails: queued.length };
  };

  it('sends one mail to a mailbox however its sub-addresses and case are spelled', async () => {
    const { bodies, mails } = await postAll(
      [
        'victim@example.com',
        'victim+1@example.com',
        'victim+2@example.com',
        'Victim+3@Example.COM',
      ],
      /victim/i,
    );
    expect(bodies.size).toBe(1);
    expect(mails).toBe(1);
    const contacts = await server.database.db
      .selectFrom('contacts')
      .select('email')
      .where('email', 'like', 'victim%')
      .execute();
    expect(contacts).toHaveLength(4);
  });

  it('paces mail beyond the domain budget, answering the same and losing none', async () => {
    const { bodies, mails } = await postAll(
      Array.from({ length: 6 }, (_, i) => `person${i}@flood.example`),
      /@flood\.example/,
    );
    expect(bodies.size).toBe(1);
    expect(mails).toBe(6);
    const rows = await server.database.db
      .selectFrom('outbox')
      .select(['next_attempt_at', 'sent_at'])
      .where('to_address', 'like', '%@flood.example')
      .orderBy('next_attempt_at')
      .execute();
    const due = rows.map((r) => r.next_attempt_at);
    for (let i = 1; i < due.length; i++)
      expect((due[i] ?? 0) - (due[i - 1] ?? 0)).toBeGreaterThanOrEqual(300);
    for (const row of rows) expect(row.sent_at).toBeGreaterThanOrEqual(row.next_attempt_at);
  });

  it('logs a mail it does not send for being over the budget', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const now = Date.now();
    const contact = await server.database.db
      .insertInto('contacts')
      .values({
        email: 'logged+2@example.com',
        fields: '{}',
        status: 'unconfirmed',
        source: 'test',
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const queue = () =>
      withTransaction({ db: server.database.db, wakeups: server.wakeups }, (tx) =>
        queueConfirmationMail(tx, {
          contact,
          formType: 'newsletter',
          form: undefined,
          publicUrl: server.url,
          timings: defaultTimings,
          now,
          logger,
        }),
      );
    expect(await queue()).toBe(true);
    expect(lines).toEqual([]);
    expect(await queue()).toBe(false);
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({
        msg: 'confirmation mail not sent: over the throttle',
        over: 'mailbox',
        domain: 'example.com',
        contactId: contact.id,
      }),
    ]);
  });
});
