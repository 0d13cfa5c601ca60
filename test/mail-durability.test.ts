// Mail is never lost: retried while SMTP is down, delivered once after a SIGKILL and a restart.
import type { ChildProcess } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../server/db/open-database.ts';
import { createTestDatabase, type TestDatabase, testDialects } from './helpers/databases.ts';
import { freePort, spawnServer, startTestServer, type TestServer } from './helpers/server.ts';
import { waitForDrainedOutbox } from './helpers/settled.ts';
import { TestSmtp } from './helpers/smtp.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function outboxRows(url: string) {
  const { db, close } = openDatabase(url);
  try {
    return await db.selectFrom('outbox').selectAll().execute();
  } finally {
    await close();
  }
}

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(50);
  }
}

describe.each(testDialects())('mail durability on %s', (dialect) => {
  let database: TestDatabase;
  let smtp: TestSmtp;
  let server: TestServer | undefined;
  let child: ChildProcess | undefined;

  beforeEach(async () => {
    database = await createTestDatabase(dialect);
    smtp = new TestSmtp();
    smtp.port = await freePort();
  });

  afterEach(async () => {
    child?.kill('SIGKILL');
    await server?.close();
    await smtp.stop();
    await database.drop();
    server = undefined;
    child = undefined;
  });

  it('retries with backoff while SMTP is down and delivers once it is back', async () => {
    server = await startTestServer({ DATABASE_URL: database.url, SMTP_URL: smtp.url });
    expect((await server.subscribe('newsletter', { email: 'eve@example.com' })).status).toBe(202);
    const failing = await until(async () => {
      const [row] = await outboxRows(database.url);
      return row && row.attempts >= 2 ? row : undefined;
    });
    expect(failing.status).toBe('pending');
    expect(failing.last_error).toMatch(/ECONNREFUSED|connect/i);

    await smtp.start();
    const mail = await smtp.waitForMail('eve@example.com', 15_000);
    await waitForDrainedOutbox(server.database.db);
    expect(smtp.mailsTo('eve@example.com')).toHaveLength(1);
    const [sent] = await outboxRows(database.url);
    expect(sent).toMatchObject({ status: 'sent', message_id: mail.messageId });
  });

  it('marks each mail of a burst sent once, with the Message-ID it went out with', async () => {
    await smtp.start();
    server = await startTestServer({ DATABASE_URL: database.url, SMTP_URL: smtp.url });
    const emails = Array.from({ length: 30 }, (_, i) => `burst${i}@example.com`);
    await Promise.all(emails.map((email) => server?.subscribe('newsletter', { email })));
    await waitForDrainedOutbox(server.database.db);
    const rows = await outboxRows(database.url);
    expect(rows).toHaveLength(emails.length);
    for (const row of rows) {
      const received = smtp.mailsTo(row.to_address);
      expect(received).toHaveLength(1);
      expect(row).toMatchObject({ status: 'sent', message_id: received[0]?.messageId });
    }
  });

  it('marks a mail failed on a permanent SMTP error instead of retrying forever', async () => {
    await smtp.start();
    smtp.rejectTo = /^bounce@/;
    server = await startTestServer({ DATABASE_URL: database.url, SMTP_URL: smtp.url });
    await server.subscribe('newsletter', { email: 'bounce@example.com' });
    const row = await until(async () => {
      const [r] = await outboxRows(database.url);
      return r?.status === 'failed' ? r : undefined;
    });
    expect(row.attempts).toBe(1);
    expect(row.last_error).toMatch(/550|no such mailbox/);
  });

  it('delivers the confirmation exactly once after a SIGKILL following the 202', async () => {
    const env = { DATABASE_URL: database.url, SMTP_URL: smtp.url };
    const first = await spawnServer(env);
    child = first.child;
    const res = await fetch(`${first.url}/v1/forms/newsletter/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'kim@example.com' }),
    });
    expect(res.status).toBe(202);
    // SMTP is down, so the mail cannot have left before the kill; wait for a finished attempt
    // (a kill in the middle of one leaves a lease that only expires after mailLeaseMs).
    await until(async () => (await outboxRows(database.url))[0]?.last_error ?? undefined);
    child.kill('SIGKILL');
    await new Promise((r) => child?.once('exit', r));

    await smtp.start();
    const second = await spawnServer(env);
    child = second.child;
    await smtp.waitForMail('kim@example.com', 15_000);
    const { db, close } = openDatabase(database.url);
    try {
      await waitForDrainedOutbox(db);
    } finally {
      await close();
    }
    expect(smtp.mailsTo('kim@example.com')).toHaveLength(1);
    expect((await outboxRows(database.url))[0]?.status).toBe('sent');
  });
});
