// The contacts API's create-or-update, get, patch, replace and tags, with each endpoint's errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../server/auth/api-keys.ts';
import {
  type ContactJson,
  type ErrorJson,
  getContactJson,
  issueFields,
  saveContact,
  send,
} from './helpers/contacts.ts';
import { createTestDatabase, type TestDatabase, testDialects } from './helpers/databases.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

describe.each(testDialects())('contacts API on %s', (dialect) => {
  let database: TestDatabase;
  let server: TestServer;
  let seq = 0;
  /** A fresh address per test, so tests sharing the server never meet each other's contacts. */
  const email = (name: string) => `${name}-${++seq}@example.com`;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    server = await startTestServer({ DATABASE_URL: database.url });
  });
  afterAll(async () => {
    await server.close();
    await database.drop();
  });

  const countOf = async (table: 'events' | 'outbox', contactId: number) =>
    Number(
      (
        await server.database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('contact_id', '=', contactId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('creates a confirmed contact (201), then updates it by email (200), with no event and no mail', async () => {
    const address = email('ann');
    const res = await send(server, 'POST', '/contacts', {
      email: address,
      phone: '00380942583691',
      firstName: 'Ann',
      fields: { plan: 'pro' },
      groups: ['Customers'],
      tags: ['vip'],
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { action: string; contact: ContactJson };
    expect(created).toMatchObject({
      action: 'created',
      contact: {
        email: address,
        phone: '+380942583691',
        phoneMeta: { isValid: true, country: 'UA', msisdn: '380942583691' },
        firstName: 'Ann',
        fields: { plan: 'pro' },
        status: 'confirmed',
        source: 'api:bootstrap',
        groups: ['Customers'],
        tags: ['vip'],
        deletedAt: null,
      },
    });

    const again = await send(server, 'POST', '/contacts', {
      email: address.toUpperCase(),
      lastName: 'Lee',
      fields: { seats: 3 },
      groups: ['Partners'],
      removeFromGroups: ['Customers'],
      status: 'unsubscribed',
    });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({
      action: 'updated',
      contact: {
        id: created.contact.id,
        firstName: 'Ann',
        lastName: 'Lee',
        fields: { plan: 'pro', seats: 3 },
        groups: ['Partners'],
        status: 'unsubscribed',
      },
    });
    expect(await countOf('events', created.contact.id)).toBe(0);
    expect(await countOf('outbox', created.contact.id)).toBe(0);
  });

  it('leaves only the groups added with removeFromAllOtherGroups, and only the given fields with clearExistingFields', async () => {
    const address = email('bo');
    await saveContact(server, { email: address, groups: ['A', 'B'], fields: { a: 1, b: 2 } });
    const contact = await saveContact(server, {
      email: address,
      groups: ['C'],
      removeFromAllOtherGroups: true,
      fields: { c: 3 },
      clearExistingFields: true,
    });
    expect(contact.groups).toEqual(['C']);
    expect(contact.fields).toEqual({ c: 3 });
  });

  it('refuses a body it cannot save with 422 naming the field', async () => {
    const post = (body: unknown) => send(server, 'POST', '/contacts', body);
    expect(await issueFields(await post({}))).toEqual(['email']);
    expect(await issueFields(await post({ email: 'not-an-email' }))).toEqual(['email']);
    expect(await issueFields(await post({ email: email('c'), phone: '12' }))).toEqual(['phone']);
    expect(await issueFields(await post({ email: email('c'), groupIds: [987654] }))).toEqual([
      'groupIds.0',
    ]);
    expect(await issueFields(await post({ email: email('c'), status: 'deleted' }))).toEqual([
      'status',
    ]);
    expect(await issueFields(await post({ email: email('c'), tags: Array(11).fill('t') }))).toEqual(
      ['tags'],
    );
    // A `contacts` array makes it a bulk body (imports): a contact's own keys beside it are refused.
    const bulk = await post({ contacts: [{ email: email('c') }], firstName: 'Ann' });
    expect(await issueFields(bulk.clone())).toEqual(['firstName']);
    expect(((await bulk.json()) as ErrorJson).error.message).toContain('firstName');
  });

  it('answers one contact by id, and 404 for an unknown id', async () => {
    const saved = await saveContact(server, { email: email('get'), address: { town: 'Kyiv' } });
    expect(await getContactJson(server, saved.id)).toEqual(saved);
    expect((await send(server, 'GET', '/contacts/999999')).status).toBe(404);
  });

  it('patches given keys, clears with null (also inside fields), takes the eSputnik shape', async () => {
    const saved = await saveContact(server, {
      email: email('pat'),
      firstName: 'Pat',
      lastName: 'Kim',
      fields: { plan: 'pro', seats: 2 },
    });
    const patch = (body: unknown) => send(server, 'PATCH', `/contacts/${saved.id}`, body);
    const res = await patch({ firstName: null, fields: { plan: null }, status: 'bounced' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      firstName: null,
      lastName: 'Kim',
      fields: { seats: 2 },
      status: 'bounced',
    });
    const esputnik = await patch({
      channels: [{ type: 'sms', value: '380942583692' }],
      fields: [{ id: 'seats', value: 5 }],
    });
    expect(await esputnik.json()).toMatchObject({
      phone: '+380942583692',
      fields: { seats: 5 },
      email: saved.email,
    });
    expect(await issueFields(await patch({ status: 'deleted' }))).toEqual(['status']);
    expect(await issueFields(await patch({ nickname: 'x' }))).toEqual(['nickname']);
    expect((await send(server, 'PATCH', '/contacts/999999', { firstName: 'x' })).status).toBe(404);
  });

  it('replaces the whole data on PUT (both paths): absent is cleared, status, groups and tags only when given', async () => {
    const saved = await saveContact(server, {
      email: email('put'),
      phone: '+491712345678',
      firstName: 'Put',
      fields: { a: 1, b: 2 },
      groups: ['G1'],
      tags: ['t1'],
      status: 'unconfirmed',
    });
    const replacement = email('put-new');
    const res = await send(server, 'PUT', `/contacts/${saved.id}`, {
      email: replacement,
      fields: { b: 3 },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      id: saved.id,
      email: replacement,
      phone: null,
      phoneMeta: null,
      firstName: null,
      fields: { b: 3 },
      status: 'unconfirmed',
      groups: ['G1'],
      tags: ['t1'],
    });
    const esputnik = await send(server, 'PUT', `/contact/${saved.id}`, {
      channels: [{ type: 'email', value: replacement }],
      firstName: 'Again',
      groups: ['G2'],
      tags: [],
      status: 'confirmed',
    });
    expect(await esputnik.json()).toMatchObject({
      firstName: 'Again',
      fields: {},
      status: 'confirmed',
      groups: ['G2'],
      tags: [],
    });
    expect(await issueFields(await send(server, 'PUT', `/contacts/${saved.id}`, {}))).toEqual([
      'email',
    ]);
    expect(
      await issueFields(await send(server, 'PUT', `/contact/${saved.id}`, { phone: '1' })),
    ).toEqual(['phone']);
    for (const path of ['/contact/999999', '/contacts/999999']) {
      const missing = await send(server, 'PUT', path, { email: email('nobody') });
      expect(missing.status, path).toBe(404);
    }
    const nobody = await server.database.db
      .selectFrom('contacts')
      .select('id')
      .where('email', 'like', 'nobody-%')
      .execute();
    expect(nobody).toEqual([]);
  });

  it('adds and removes 1–10 tags, refusing 0 or 11 with 422 and an unknown contact with 404', async () => {
    const saved = await saveContact(server, { email: email('tags'), tags: ['keep'] });
    const tags = (method: string, list: string[], id = saved.id) =>
      send(server, method, `/contacts/${id}/tags`, { tags: list });
    const added = await tags('POST', ['b', 'a']);
    expect(added.status).toBe(200);
    expect(((await added.json()) as ContactJson).tags).toEqual(['a', 'b', 'keep']);
    const removed = await tags('DELETE', ['a', 'never-had']);
    expect(((await removed.json()) as ContactJson).tags).toEqual(['b', 'keep']);
    const eleven = Array.from({ length: 11 }, (_, i) => `t${i}`);
    expect(await issueFields(await tags('POST', eleven))).toEqual(['tags']);
    expect(await issueFields(await tags('DELETE', eleven))).toEqual(['tags']);
    expect(await issueFields(await tags('POST', []))).toEqual(['tags']);
    expect((await tags('POST', ['a'], 999999)).status).toBe(404);
    expect((await tags('DELETE', ['a'], 999999)).status).toBe(404);
  });

  describe('authentication, scopes and body size on every endpoint', () => {
    const endpoints: { method: string; path: string; body?: unknown; write: boolean }[] = [
      { method: 'GET', path: '/contacts', write: false },
      { method: 'GET', path: '/contacts/1', write: false },
      { method: 'POST', path: '/contacts', body: { email: 'x@example.com' }, write: true },
      { method: 'PATCH', path: '/contacts/1', body: { firstName: 'x' }, write: true },
      { method: 'PUT', path: '/contacts/1', body: { email: 'x@example.com' }, write: true },
      { method: 'PUT', path: '/contact/1', body: { email: 'x@example.com' }, write: true },
      { method: 'DELETE', path: '/contacts/1', write: true },
      { method: 'POST', path: '/contacts/1/restore', write: true },
      { method: 'POST', path: '/contacts/1/tags', body: { tags: ['x'] }, write: true },
      { method: 'DELETE', path: '/contacts/1/tags', body: { tags: ['x'] }, write: true },
    ];
    const call = (e: (typeof endpoints)[number], key: string | undefined, body = e.body) =>
      fetch(`${server.url}/api/v1${e.path}`, {
        method: e.method,
        headers: {
          'content-type': 'application/json',
          ...(key ? { authorization: `Bearer ${key}` } : {}),
        },
        ...(body === undefined
          ? {}
          : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });

    it('answers 401 without a key and 403 for a key without the scope (reads need contacts:read, writes contacts:write)', async () => {
      const { key: reader } = await createApiKey(server.database.db, {
        name: 'reader',
        scopes: ['contacts:read'],
      });
      const { key: writer } = await createApiKey(server.database.db, {
        name: 'writer',
        scopes: ['contacts:write'],
      });
      for (const e of endpoints) {
        const label = `${e.method} ${e.path}`;
        expect((await call(e, undefined)).status, label).toBe(401);
        expect((await call(e, 'sf_unknown')).status, label).toBe(401);
        const forbidden = await call(e, e.write ? reader : writer);
        expect(forbidden.status, label).toBe(403);
        expect(((await forbidden.json()) as ErrorJson).error.message, label).toContain(
          e.write ? 'contacts:write' : 'contacts:read',
        );
        expect((await call(e, e.write ? writer : reader)).status, label).not.toBe(403);
      }
    });

    it('answers 413 for a body over the limit', async () => {
      const huge = JSON.stringify({
        email: 'x@example.com',
        firstName: 'x'.repeat(11 * 1024 * 1024),
      });
      for (const e of endpoints.filter((x) => x.body !== undefined)) {
        const res = await call(e, 'test-bootstrap-key-0123456789', huge);
        expect(res.status, `${e.method} ${e.path}`).toBe(413);
      }
    });
  });
});
