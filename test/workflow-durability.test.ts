// A run survives SIGKILL in the middle of a wait: the next mail comes once, the first is not re-sent.
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../server/db/open-database.ts';
import { createTestDatabase, type TestDatabase, testDialects } from './helpers/databases.ts';
import { spawnServer } from './helpers/server.ts';
import { waitForSettled } from './helpers/settled.ts';
import { TestSmtp } from './helpers/smtp.ts';
import { until, workflowDir } from './helpers/workflow-dir.ts';

const TWO_MAILS = `
name: two-mails
on: subscribeFromApi-newsletter
steps:
  - send_email: { subject: "First", text: "one" }
  - wait: 2s
  - send_email: { subject: "Second", text: "two" }
`;

describe.each(testDialects())('workflow durability on %s', (dialect) => {
  let database: TestDatabase;
  let smtp: TestSmtp;
  let child: ChildProcess | undefined;
  let dir: ReturnType<typeof workflowDir>;

  afterEach(async () => {
    child?.kill('SIGKILL');
    await smtp.stop();
    await database.drop();
    dir.remove();
  });

  it('resumes a waiting run after SIGKILL and a restart', async () => {
    database = await createTestDatabase(dialect);
    smtp = await new TestSmtp().start();
    dir = workflowDir({ 'two.yaml': TWO_MAILS });
    const env = { DATABASE_URL: database.url, SMTP_URL: smtp.url, WORKFLOWS_DIR: dir.dir };
    const first = await spawnServer(env);
    child = first.child;
    await fetch(`${first.url}/v1/forms/newsletter/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'durable@example.com' }),
    });
    const { db, close } = openDatabase(database.url);
    try {
      await until(
        async () =>
          (await db.selectFrom('workflow_runs').select('status').executeTakeFirst())?.status ===
          'waiting',
      );
      // Killed only once 'First' is recorded as sent: a kill between the SMTP server's 250 and
      // that record sends it again (at-least-once, same Message-ID), which is not what this tests.
      await until(async () =>
        (await db.selectFrom('outbox').select(['subject', 'status']).execute()).some(
          (m) => m.subject === 'First' && m.status === 'sent',
        ),
      );
      child.kill('SIGKILL');
      await new Promise((r) => child?.once('exit', r));

      child = (await spawnServer(env)).child;
      await until(
        async () => smtp.mailsTo('durable@example.com').some((m) => m.subject === 'Second'),
        15_000,
      );
      await waitForSettled(db);
      const subjects = smtp
        .mailsTo('durable@example.com')
        .map((m) => m.subject)
        .sort();
      expect(subjects).toEqual(['First', 'Please confirm your subscription', 'Second']);
      const run = await db.selectFrom('workflow_runs').selectAll().executeTakeFirstOrThrow();
      expect(run.status).toBe('completed');
      const steps = await db
        .selectFrom('workflow_steps')
        .select(['step_id', 'attempts'])
        .orderBy('id')
        .execute();
      expect(steps.map((s) => s.step_id)).toEqual(['steps.0', 'steps.1', 'steps.2']);
    } finally {
      await close();
    }
  });
});
