// The confirmation throttle counts mailboxes, not spellings (victim+1@, Victim@), and each domain.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase, testDialects } from './helpers/databases.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { TestSmtp } from './helpers/smtp.ts';

describe.each(testDialects())('confirmation throttle on %s', (dialect) => {
  let database: TestDatabase;
  let smtp: TestSmtp;
  let server: TestServer;

  beforeEach(async () => {
    database = await createTestDatabase(dialect);
    smtp = await new TestSmtp().start();
    server = await startTestServer(
      { DATABASE_URL: database.url, SMTP_URL: smtp.url },
      { confirmationsPerDomain: 3, confirmationDomainWindowMs: 3600_000 },
    );
  });

  afterEach(async () => {
    await server.close();
    await smtp.stop();
    await database.drop();
  });

  const mailsAt = (pattern: RegExp) => smtp.mails.filter((m) => pattern.test(m.to));
  /** Posts every address, then waits for a later mail to another domain: all earlier mail is out. */
  const postAll = async (emails: string[]) => {
    const bodies = new Set<string>();
    for (const email of emails) {
      const res = await server.subscribe('newsletter', { email });
      expect(res.status).toBe(202);
      bodies.add(await res.text());
    }
    await server.subscribe('newsletter', { email: 'marker@elsewhere.example' });
    await smtp.waitForMail('marker@elsewhere.example');
    return bodies;
  };

  it('sends one mail to a mailbox however its sub-addresses and case are spelled', async () => {
    const bodies = await postAll([
      'victim@example.com',
      'victim+1@example.com',
      'victim+2@example.com',
      'Victim+3@Example.COM',
    ]);
    expect(bodies.size).toBe(1);
    expect(mailsAt(/victim/i)).toHaveLength(1);
    const contacts = await server.database.db
      .selectFrom('contacts')
      .select('email')
      .where('email', 'like', 'victim%')
      .execute();
    expect(contacts).toHaveLength(4);
  });

  it('stops at the domain budget, answering the same', async () => {
    const bodies = await postAll(Array.from({ length: 6 }, (_, i) => `person${i}@flood.example`));
    expect(bodies.size).toBe(1);
    expect(mailsAt(/@flood\.example/)).toHaveLength(3);
  });
});
