// eSputnik's bulk add/update: 3000 contacts with 50 bad rows, repeated; dedupe, groups, events, sync.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ContactJson,
  getContactJson,
  issueFields,
  saveContact,
  send,
} from './helpers/contacts.ts';
import { createTestDatabase, type TestDatabase, testDialects } from './helpers/databases.ts';
import { finishedImport, type ImportJson } from './helpers/imports.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

describe.each(testDialects())('bulk contacts import on %s', (dialect) => {
  let database: TestDatabase;
  let server: TestServer;
  let seq = 0;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    server = await startTestServer({ DATABASE_URL: database.url });
  });
  afterAll(async () => {
    await server.close();
    await database.drop();
  });

  /** Posts a bulk body; answers the finished import. */
  async function bulk(body: object, query = ''): Promise<ImportJson> {
    const res = await send(server, 'POST', `/contacts${query}`, body);
    const answer = (await res.json()) as { asyncSessionId: number };
    expect(res.status, JSON.stringify(answer)).toBe(200);
    expect(answer.asyncSessionId).toBeGreaterThan(0);
    return finishedImport(server.url, answer.asyncSessionId);
  }

  const countContacts = async (where: { source?: string; emailLike?: string }) => {
    let query = server.database.db
      .selectFrom('contacts')
      .select((eb) => eb.fn.countAll<number>().as('n'));
    if (where.source) query = query.where('source', '=', where.source);
    if (where.emailLike) query = query.where('email', 'like', where.emailLike);
    return Number((await query.executeTakeFirstOrThrow()).n);
  };

  it('imports 3000 contacts with 50 bad rows: exactly those 50 fail, named; a repeat only updates', async () => {
    const fieldRes = await send(server, 'POST', '/fields', { key: 'seats', type: 'number' });
    expect(fieldRes.status).toBe(201);
    const owner = await saveContact(server, {
      email: 'owner-bulk@example.com',
      phone: '+380501110000',
    });
    const bad = new Map<number, RegExp>();
    const contacts = Array.from({ length: 3000 }, (_, i) => {
      const email = `bulk${i}@example.com`;
      const contact: Record<string, unknown> = {
        channels: [
          { type: 'email', value: email },
          { type: 'sms', value: `+38050${String(2_000_000 + i).padStart(7, '0')}` },
        ],
        firstName: `First${i}`,
        fields: [{ id: 'seats', value: String(i % 9) }],
      };
      if (i % 60 !== 7) return contact;
      const kind = ((i / 60) % 5) | 0;
      if (kind === 0) {
        contact.channels = [{ type: 'email', value: `not-an-email-${i}` }];
        bad.set(i, /^channels\.0\.value: must be a valid email address$/);
      } else if (kind === 1) {
        contact.channels = [
          { type: 'email', value: email },
          { type: 'sms', value: '12' },
        ];
        bad.set(i, /^channels\.1\.value: is not a possible phone number/);
      } else if (kind === 2) {
        contact.fields = [{ id: 'seats', value: 'many' }];
        bad.set(i, /^fields\.seats: must be a number$/);
      } else if (kind === 3) {
        contact.channels = [
          { type: 'email', value: email },
          { type: 'sms', value: '+380501110000' },
        ];
        bad.set(
          i,
          new RegExp(
            `^channels\\.1\\.value: \\+380501110000 belongs to contact ${owner.id}, which has another email address$`,
          ),
        );
      } else {
        contact.firstName = 42;
        bad.set(i, /^firstName: /);
      }
      return contact;
    });
    expect(bad.size).toBe(50);
    const body = { contacts, dedupeOn: 'email', groupNames: ['Bulk'] };

    const first = await bulk(body);
    expect(first).toMatchObject({
      status: 'done',
      total: 3000,
      processed: 3000,
      created: 2950,
      updated: 0,
      failed: 50,
    });
    expect(first.failedContacts.map((f) => f.index)).toEqual([...bad.keys()]);
    for (const failure of first.failedContacts) {
      expect(failure.reason).toMatch(bad.get(failure.index) as RegExp);
      expect(failure.contact).toEqual(contacts[failure.index]);
    }
    expect(await countContacts({ emailLike: 'bulk%@example.com' })).toBe(2950);
    const sample = (await send(server, 'GET', '/contacts?email=bulk11@example.com').then((r) =>
      r.json(),
    )) as { items: ContactJson[] };
    expect(sample.items[0]).toMatchObject({
      status: 'confirmed',
      phone: '+380502000011',
      firstName: 'First11',
      fields: { seats: 2 },
      groups: ['Bulk'],
      source: 'import:api:bootstrap',
    });
    expect(await server.database.db.selectFrom('outbox').selectAll().execute()).toEqual([]);
    expect(await server.database.db.selectFrom('events').selectAll().execute()).toEqual([]);

    const again = await bulk(body);
    expect(again).toMatchObject({ status: 'done', created: 0, updated: 2950, failed: 50 });
    expect(again.failedContacts.map((f) => f.index)).toEqual([...bad.keys()]);
    expect(await countContacts({ emailLike: 'bulk%@example.com' })).toBe(2950);
  });

  it('refuses a bad bulk body as a whole with 422 naming the field', async () => {
    expect(await issueFields(await send(server, 'POST', '/contacts', { contacts: [] }))).toEqual([
      'contacts',
    ]);
    expect(
      await issueFields(
        await send(server, 'POST', '/contacts', {
          contacts: [{ email: 'a@example.com' }],
          dedupeOn: 'fax',
        }),
      ),
    ).toEqual(['dedupeOn']);
    const many = Array.from({ length: 3001 }, (_, i) => ({ email: `m${i}@example.com` }));
    expect(await issueFields(await send(server, 'POST', '/contacts', { contacts: many }))).toEqual([
      'contacts',
    ]);
    const sync = Array.from({ length: 1001 }, (_, i) => ({ email: `s${i}@example.com` }));
    expect(
      await issueFields(await send(server, 'POST', '/contacts?sync=true', { contacts: sync })),
    ).toEqual(['contacts']);
  });

  it('answers the finished import with sync=true; later rows of one contact update the earlier', async () => {
    const tag = `sync${++seq}`;
    const res = await send(server, 'POST', '/contacts?sync=true', {
      contacts: [
        { email: `${tag}@example.com`, firstName: 'One' },
        { email: `${tag}@example.com`, lastName: 'Two', fields: { plan: 'pro' } },
        {
          externalCustomerId: `${tag}-ext`,
          channels: [{ type: 'email', value: `${tag}-b@example.com` }],
        },
        { externalCustomerId: `${tag}-ext`, firstName: 'Ext' },
        { firstName: 'Nobody' },
      ],
    });
    expect(res.status).toBe(200);
    const done = (await res.json()) as ImportJson;
    expect(done).toMatchObject({ status: 'done', total: 5, created: 2, updated: 2, failed: 1 });
    expect(done.failedContacts).toEqual([
      {
        index: 4,
        reason: 'email: send an email, a phone or an externalId to find the contact by',
        contact: { firstName: 'Nobody' },
      },
    ]);
    const one = (await send(server, 'GET', `/contacts?email=${tag}@example.com`).then((r) =>
      r.json(),
    )) as { items: ContactJson[] };
    expect(one.items).toHaveLength(1);
    expect(one.items[0]).toMatchObject({
      firstName: 'One',
      lastName: 'Two',
      fields: { plan: 'pro' },
    });
    const ext = (await send(server, 'GET', `/contacts?externalId=${tag}-ext`).then((r) =>
      r.json(),
    )) as { items: ContactJson[] };
    expect(ext.items[0]).toMatchObject({ email: `${tag}-b@example.com`, firstName: 'Ext' });
  });

  it('finds by externalCustomerId first, then dedupeOn; sms dedupes on the phone', async () => {
    const tag = `dedupe${++seq}`;
    const existing = await saveContact(server, {
      email: `${tag}@example.com`,
      phone: '+380507770001',
      externalId: `${tag}-x`,
    });
    const done = await bulk({
      dedupeOn: 'sms',
      contacts: [
        { externalCustomerId: `${tag}-x`, firstName: 'ByExternal' },
        { channels: [{ type: 'sms', value: '380507770001' }], lastName: 'ByPhone' },
      ],
    });
    expect(done).toMatchObject({ created: 0, updated: 2, failed: 0 });
    expect(await getContactJson(server, existing.id)).toMatchObject({
      firstName: 'ByExternal',
      lastName: 'ByPhone',
    });
  });

  it('leaves a deleted contact deleted unless restoreDeleted, then restores it', async () => {
    const tag = `deleted${++seq}`;
    const contact = await saveContact(server, { email: `${tag}@example.com` });
    expect((await send(server, 'DELETE', `/contacts/${contact.id}`)).status).toBe(200);
    const kept = await bulk({ contacts: [{ email: `${tag}@example.com`, firstName: 'Back' }] });
    expect(kept).toMatchObject({ created: 0, updated: 0, failed: 1 });
    expect(kept.failedContacts[0]?.reason).toBe(
      `contact ${contact.id} is deleted; send restoreDeleted: true to restore it`,
    );
    expect((await getContactJson(server, contact.id)).status).toBe('deleted');
    const restored = await bulk({
      contacts: [{ email: `${tag}@example.com`, firstName: 'Back' }],
      restoreDeleted: true,
    });
    expect(restored).toMatchObject({ created: 0, updated: 1, failed: 0 });
    expect(await getContactJson(server, contact.id)).toMatchObject({
      status: 'confirmed',
      firstName: 'Back',
      deletedAt: null,
    });
  });

  it('appends an event for each new contact only, when eventKeyForNewContacts is given; groups in and out', async () => {
    const tag = `events${++seq}`;
    const old = await saveContact(server, { email: `${tag}-old@example.com`, groups: ['Leads'] });
    const done = await bulk({
      contacts: [
        { email: `${tag}-old@example.com` },
        { email: `${tag}-new@example.com`, phone: '+380507771234' },
        { phone: '+380507771235' },
      ],
      eventKeyForNewContacts: 'newContact',
      groupNames: ['Customers'],
      groupNamesExclude: ['Leads'],
    });
    expect(done).toMatchObject({ created: 2, updated: 1, failed: 0 });
    const events = await server.database.db
      .selectFrom('events')
      .select(['type', 'key', 'contact_id', 'params'])
      .where('type', '=', 'newContact')
      .orderBy('id')
      .execute();
    const byEmail = (await send(server, 'GET', `/contacts?email=${tag}-new@example.com`).then((r) =>
      r.json(),
    )) as { items: ContactJson[] };
    const created = byEmail.items[0] as ContactJson;
    expect(events.map((e) => ({ ...e, params: JSON.parse(e.params) }))).toEqual([
      {
        type: 'newContact',
        key: `${tag}-new@example.com`,
        contact_id: created.id,
        params: {
          ContactId: created.id,
          EmailAddress: `${tag}-new@example.com`,
          SMS: '+380507771234',
        },
      },
      expect.objectContaining({
        key: '+380507771235',
        params: expect.objectContaining({ EmailAddress: '', SMS: '+380507771235' }),
      }),
    ]);
    expect((await getContactJson(server, old.id)).groups).toEqual(['Customers']);
    expect(created.groups).toEqual(['Customers']);
  });
});
