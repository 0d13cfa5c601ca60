// Stopping while SMTP sends are under way: each mail goes out once and is marked sent before exit.
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../server/db/open-database.ts';
import { createTestDatabase, type TestDatabase, testDialects } from './helpers/databases.ts';
import { slowSmtp } from './helpers/mail-fixtures.ts';
import { spawnServer, startTestServer } from './helpers/server.ts';
import { until } from './helpers/workflow-dir.ts';

describe.each(testDialects())('stopping during sends on %s', (dialect) => {
  let database: TestDatabase;
  afterEach(async () => {
    await database.drop();
  });

  it('lets the sends in flight finish and marks them sent, so a restart sends none again', async () => {
    database = await createTestDatabase(dialect);
    const smtp = await slowSmtp(1500);
    const env = { DATABASE_URL: database.url, SMTP_URL: smtp.url };
    const emails = Array.from({ length: 5 }, (_, i) => `stop${i}@example.com`);
    const server = await startTestServer(env);
    for (const email of emails)
      expect((await server.subscribe('newsletter', { email })).status).toBe(202);
    await until(async () => (smtp.receiving() >= emails.length ? true : undefined));
    await server.close();

    const { db, close } = openDatabase(database.url);
    try {
      const rows = await db.selectFrom('outbox').select(['to_address', 'status']).execute();
      expect(rows.map((r) => r.status)).toEqual(emails.map(() => 'sent'));
    } finally {
      await close();
    }
    for (const email of emails) expect(smtp.received.get(email)).toBe(1);
    await smtp.stop();
  });

  it('exits cleanly on SIGTERM while sends are under way, each mail sent once and marked', async () => {
    database = await createTestDatabase(dialect);
    const smtp = await slowSmtp(1000);
    const { child, url } = await spawnServer({ DATABASE_URL: database.url, SMTP_URL: smtp.url });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const emails = Array.from({ length: 8 }, (_, i) => `term${i}@example.com`);
    for (const email of emails) {
      const res = await fetch(`${url}/v1/forms/newsletter/subscribe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email }),
      });
      expect(res.status).toBe(202);
    }
    await until(async () => (smtp.receiving() >= emails.length ? true : undefined), 20_000);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);

    const { db, close } = openDatabase(database.url);
    try {
      const rows = await db.selectFrom('outbox').select(['status', 'locked_by']).execute();
      expect(rows).toEqual(emails.map(() => ({ status: 'sent', locked_by: null })));
    } finally {
      await close();
    }
    for (const email of emails) expect(smtp.received.get(email)).toBe(1);
    await smtp.stop();
  }, 60_000);
});
