// DELETE /contacts/{id}: out of lists, workflows and mail; ?erase=true leaves no personal data; restore.

import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { dialectOf } from '../server/db/dialect.ts';
import type { DB } from '../server/db/open-database.ts';
import {
  type ContactJson,
  getContactJson,
  issueFields,
  saveContact,
  send,
} from './helpers/contacts.ts';
import { createTestDatabase, type TestDatabase, testDialects } from './helpers/databases.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { waitForDispatched, waitForDrainedOutbox } from './helpers/settled.ts';
import { TestSmtp } from './helpers/smtp.ts';
import { temporaryWorkflowDirs, until } from './helpers/workflow-dir.ts';

/** Starts on any subscribe, mails the contact, then waits two days: a run that stays active. */
const NURTURE = `
name: nurture
on: subscribeFromApi*
steps:
  - send_email: { subject: "Hello \${EmailAddress}", text: "Hi \${contact.firstName} at \${EmailAddress}" }
  - wait: 2d
  - send_email: { subject: "Two days later", text: "Still there, \${contact.firstName}?" }
`;

describe.each(testDialects())('deleting contacts on %s', (dialect) => {
  const folder = temporaryWorkflowDirs();
  let database: TestDatabase | undefined;
  let server: TestServer | undefined;
  let smtp: TestSmtp | undefined;

  afterEach(async () => {
    await server?.close();
    await smtp?.stop();
    await database?.drop();
    server = undefined;
    smtp = undefined;
  });

  async function start(env: Record<string, string> = {}): Promise<TestServer> {
    database = await createTestDatabase(dialect);
    server = await startTestServer({
      DATABASE_URL: database.url,
      WORKFLOWS_DIR: folder({ 'nurture.yaml': NURTURE }),
      ...env,
    });
    return server;
  }

  const runsOf = (db: DB, contactId: number) =>
    db
      .selectFrom('workflow_runs')
      .select(['id', 'status'])
      .where('contact_id', '=', contactId)
      .execute();
  const outboxOf = (db: DB, contactId: number) =>
    db
      .selectFrom('outbox')
      .select(['status', 'attempts', 'last_error', 'locked_by'])
      .where('contact_id', '=', contactId)
      .orderBy('id')
      .execute();
  const apiSubscribe = (s: TestServer, email: string) =>
    send(s, 'POST', '/contact/subscribe', { contact: { email, firstName: 'Del' } });

  it('cancels the waiting run and the pending mail, hides it from lists, and starts no run for it', async () => {
    smtp = await new TestSmtp().start();
    const s = await start({ SMTP_URL: smtp.url });
    const db = s.database.db;
    // No SMTP for now: the contact's mail stays pending (retried with backoff).
    await smtp.stop();
    const res = await apiSubscribe(s, 'gone@example.com');
    const { id } = (await res.json()) as { id: number };
    await until(async () => (await runsOf(db, id)).some((r) => r.status === 'waiting') || false);
    // A mail a sender holds when the contact is deleted may still go out (cancel-mail.ts); wait
    // until every attempt so far has failed and been recorded, and none is under way.
    await until(async () => {
      const mails = await outboxOf(db, id);
      return mails.length > 0 && mails.every((m) => m.last_error !== null && m.locked_by === null);
    });
    expect((await outboxOf(db, id)).every((m) => m.status === 'pending')).toBe(true);

    const deleted = await send(s, 'DELETE', `/contacts/${id}`);
    expect(deleted.status).toBe(200);
    const view = (await deleted.json()) as ContactJson;
    expect(view).toMatchObject({ id, status: 'deleted', email: 'gone@example.com' });
    expect(view.deletedAt).not.toBeNull();
    expect((await runsOf(db, id)).map((r) => r.status)).toEqual(['cancelled']);
    expect((await outboxOf(db, id)).map((m) => m.status)).toEqual(['cancelled', 'cancelled']);
    const listed = (await (await send(s, 'GET', '/contacts?email=gone%40example.com')).json()) as {
      items: ContactJson[];
    };
    expect(listed.items).toEqual([]);

    // SMTP back: another contact's mail arriving shows the sender ran; the deleted one's did not.
    await smtp.start();
    await apiSubscribe(s, 'stays@example.com');
    await smtp.waitForMail('stays@example.com');
    await waitForDrainedOutbox(db);
    expect(smtp.mails.filter((m) => m.to.includes('gone@example.com'))).toEqual([]);

    // An event for the deleted contact (as a CRM's custom event would append) starts nothing.
    await db
      .insertInto('events')
      .values({
        type: 'subscribeFromApi-crm',
        key: String(id),
        contact_id: id,
        params: JSON.stringify({ ContactId: id }),
        created_at: Date.now(),
      })
      .execute();
    s.wakeups.engine();
    await waitForDispatched(db);
    expect((await runsOf(db, id)).map((r) => r.status)).toEqual(['cancelled']);
  });

  it('erases every trace of the personal data (grepping every table), keeping ids and event types', async () => {
    // No SMTP_URL: mail is kept in the dev mailbox, one more table that must forget it.
    const s = await start();
    const db = s.database.db;
    const email = 'zebediah.erase@example.com';
    expect((await s.subscribe('newsletter', { email, firstName: 'Zebediah' })).status).toBe(202);
    const row = await db
      .selectFrom('contacts')
      .select('id')
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    const id = row.id;
    const patched = await send(s, 'PATCH', `/contacts/${id}`, {
      phone: '+380942583691',
      lastName: 'Quixotic',
      externalId: 'crm-zebediah',
      address: { town: 'Xanadu' },
      fields: { hobby: 'zymurgy' },
    });
    expect(patched.status).toBe(200);
    await send(s, 'POST', `/contacts/${id}/tags`, { tags: ['vip'] });
    await waitForDispatched(db);
    await until(async () => (await runsOf(db, id)).some((r) => r.status === 'waiting') || false);
    await waitForDrainedOutbox(db);
    const traces = ['zebediah', 'quixotic', '380942583691', 'xanadu', 'zymurgy', '127.0.0.1'];
    expect(await tablesMentioning(db, traces)).toEqual(
      expect.arrayContaining([
        'confirm_tokens',
        'consents',
        'contacts',
        'dev_mailbox',
        'events',
        'outbox',
        'workflow_runs',
        'workflow_steps',
      ]),
    );

    const erased = await send(s, 'DELETE', `/contacts/${id}?erase=true`);
    expect(erased.status).toBe(200);
    expect(await erased.json()).toMatchObject({
      id,
      email: null,
      phone: null,
      phoneMeta: null,
      externalId: null,
      firstName: null,
      lastName: null,
      address: null,
      fields: {},
      status: 'deleted',
      groups: [],
      pendingGroups: [],
      tags: [],
    });
    expect(await tablesMentioning(db, traces)).toEqual([]);
    const events = await db
      .selectFrom('events')
      .select(['type', 'params'])
      .where('contact_id', '=', id)
      .execute();
    expect(events.map((e) => e.type)).toContain('subscribeFromApi-newsletter');
    for (const event of events) expect(JSON.parse(event.params)).toEqual({ ContactId: id });
    expect((await runsOf(db, id)).map((r) => r.status)).toEqual(['cancelled']);
  });

  it('restores a deleted contact to its status before, answers 404 for unknown ids and 422 for a bad erase', async () => {
    const s = await start();
    const saved = await saveContact(s, { email: 'back@example.com', status: 'unsubscribed' });
    expect((await send(s, 'DELETE', `/contacts/${saved.id}`)).status).toBe(200);
    // Deleting again changes nothing.
    const twice = (await (await send(s, 'DELETE', `/contacts/${saved.id}`)).json()) as ContactJson;
    expect(twice.status).toBe('deleted');

    const restored = await send(s, 'POST', `/contacts/${saved.id}/restore`);
    expect(restored.status).toBe(200);
    expect(await restored.json()).toMatchObject({
      status: 'unsubscribed',
      deletedAt: null,
      email: 'back@example.com',
    });
    const again = await send(s, 'POST', `/contacts/${saved.id}/restore`);
    expect(again.status).toBe(200);
    expect(await getContactJson(s, saved.id)).toMatchObject({ status: 'unsubscribed' });
    const listed = (await (await send(s, 'GET', '/contacts?email=back%40example.com')).json()) as {
      items: ContactJson[];
    };
    expect(listed.items.map((c) => c.id)).toEqual([saved.id]);

    expect((await send(s, 'DELETE', '/contacts/999999')).status).toBe(404);
    expect((await send(s, 'DELETE', '/contacts/999999?erase=true')).status).toBe(404);
    expect((await send(s, 'POST', '/contacts/999999/restore')).status).toBe(404);
    expect(await issueFields(await send(s, 'DELETE', `/contacts/${saved.id}?erase=yes`))).toEqual([
      'erase',
    ]);
  });
});

/** The tables whose rows contain any of `needles` (case-insensitive), found by reading every row. */
async function tablesMentioning(db: DB, needles: string[]): Promise<string[]> {
  // This schema's tables only: Kysely's introspector reads every schema, which other runs drop.
  const { rows: tables } = await (dialectOf(db).name === 'sqlite'
    ? sql<{ name: string }>`select name from sqlite_master where type = 'table'`
    : sql<{ name: string }>`select table_name as name from information_schema.tables
        where table_schema = current_schema()`
  ).execute(db);
  const found: string[] = [];
  for (const { name } of tables) {
    if (name.startsWith('kysely_') || name.startsWith('sqlite_')) continue;
    const rows = await db
      .selectFrom(name as 'contacts')
      .selectAll()
      .execute();
    const text = JSON.stringify(rows).toLowerCase();
    if (needles.some((n) => text.includes(n))) found.push(name);
  }
  return found.sort();
}
