// Two servers sharing one PostgreSQL database: every mail goes out once, every run runs once.
// PostgreSQL only: it is the several-machines set-up; SQLite is one process on one machine.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './helpers/databases.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { waitForSettled } from './helpers/settled.ts';
import { TestSmtp } from './helpers/smtp.ts';
import { until, workflowDir } from './helpers/workflow-dir.ts';

const WELCOME = `
name: hello
on: subscribeFromApi-newsletter
steps:
  - send_email: { subject: "Hello \${EmailAddress}", text: "Hi" }
  - add_tags: [greeted]
`;

describe.skipIf(!inject('postgresUrl'))('two servers on one PostgreSQL database', () => {
  let database: TestDatabase;
  let smtp: TestSmtp;
  let servers: TestServer[];
  let dir: ReturnType<typeof workflowDir>;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    smtp = await new TestSmtp().start();
    dir = workflowDir({ 'hello.yaml': WELCOME });
    const env = { DATABASE_URL: database.url, SMTP_URL: smtp.url, WORKFLOWS_DIR: dir.dir };
    // One after the other: the second finds the schema migrated and the secret key stored.
    servers = [await startTestServer(env), await startTestServer(env)];
  });

  afterAll(async () => {
    for (const server of servers ?? []) await server.close();
    await smtp.stop();
    await database.drop();
    dir.remove();
  });

  it('sends each confirmation and each workflow mail exactly once', async () => {
    const count = 40;
    await Promise.all(
      Array.from({ length: count }, (_, i) =>
        servers[i % 2]?.subscribe('newsletter', { email: `node${i}@example.com` }),
      ),
    );
    // Each server wakes only itself; the other one's work is found by polling and claims.
    await until(async () => smtp.mails.length >= count * 2, 20_000);
    const db = servers[0]?.database.db;
    if (!db) throw new Error('no server');
    await waitForSettled(db);
    const runs = await db.selectFrom('workflow_runs').select(['status']).execute();
    expect(runs).toHaveLength(count);
    expect(runs.every((r) => r.status === 'completed')).toBe(true);
    const steps = await db.selectFrom('workflow_steps').select(['run_id', 'attempts']).execute();
    expect(steps).toHaveLength(count * 2);
    expect(steps.every((s) => s.attempts === 1)).toBe(true);
    const secrets = await db.selectFrom('settings').selectAll().execute();
    expect(secrets).toHaveLength(1);
    // A row both servers claimed could still be on its way out from one when the other marked it
    // sent; a stopping server first finishes the batch it has in flight.
    for (const server of servers) await server.close();
    for (let i = 0; i < count; i++) {
      const subjects = smtp
        .mailsTo(`node${i}@example.com`)
        .map((m) => m.subject)
        .sort();
      expect(subjects).toEqual([`Hello node${i}@example.com`, 'Please confirm your subscription']);
    }
  });
});
