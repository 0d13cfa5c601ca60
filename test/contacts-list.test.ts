// GET /api/v1/contacts: each filter, filters composed, cursor pages, limits and refused queries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../server/auth/api-keys.ts';
import { type ContactJson, issueFields, saveContact, send } from './helpers/contacts.ts';
import { createTestDatabase, type TestDatabase, testDialects } from './helpers/databases.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

interface Page {
  items: ContactJson[];
  nextCursor: string | null;
}

describe.each(testDialects())('listing contacts on %s', (dialect) => {
  let database: TestDatabase;
  let server: TestServer;
  let seq = 0;
  const unique = (name: string) => `${name}-${++seq}`;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    server = await startTestServer({ DATABASE_URL: database.url });
  });
  afterAll(async () => {
    await server.close();
    await database.drop();
  });

  const list = async (query: string): Promise<Page> => {
    const res = await send(server, 'GET', `/contacts?${query}`);
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as Page;
  };
  const ids = async (query: string) => (await list(query)).items.map((c) => c.id);

  it('filters by email, phone (any accepted format), externalId, group (name or id), tag and source', async () => {
    const group = unique('Group');
    const tag = unique('tag');
    const a = await saveContact(server, {
      email: `${unique('a')}@example.com`,
      phone: '+380942583691',
      externalId: unique('crm'),
      groups: [group],
      tags: [tag],
    });
    const b = await saveContact(server, { email: `${unique('b')}@example.com`, groups: [group] });
    const { key } = await createApiKey(server.database.db, {
      name: unique('crm'),
      scopes: ['contacts:write'],
    });
    const viaCrm = await fetch(`${server.url}/api/v1/contacts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: `${unique('c')}@example.com` }),
    });
    const c = ((await viaCrm.json()) as { contact: ContactJson }).contact;

    expect(await ids(`email=${encodeURIComponent((a.email as string).toUpperCase())}`)).toEqual([
      a.id,
    ]);
    for (const phone of ['+380942583691', '00380942583691', '380942583691', '+380 94 258 3691'])
      expect(await ids(`phone=${encodeURIComponent(phone)}`), phone).toEqual([a.id]);
    expect(await ids('phone=0942583691&defaultCountry=UA')).toEqual([a.id]);
    expect(await ids(`externalId=${a.externalId}`)).toEqual([a.id]);
    expect(await ids(`group=${group}`)).toEqual([b.id, a.id]);
    const groupId = (
      await server.database.db
        .selectFrom('groups')
        .select('id')
        .where('name', '=', group)
        .executeTakeFirstOrThrow()
    ).id;
    expect(await ids(`group=${groupId}`)).toEqual([b.id, a.id]);
    expect(await ids(`tag=${tag}`)).toEqual([a.id]);
    expect(await ids(`source=${encodeURIComponent(c.source)}`)).toEqual([c.id]);
    expect(c.source).toMatch(/^api:crm-/);
    // Filters compose: a group and a tag is the contacts with both.
    expect(await ids(`group=${group}&tag=${tag}`)).toEqual([a.id]);
    expect(await ids(`group=${group}&email=${b.email}`)).toEqual([b.id]);
    expect(await ids(`group=${unique('nobody')}`)).toEqual([]);
  });

  it('filters by status; deleted contacts only with status=deleted', async () => {
    const group = unique('Status');
    const live = await saveContact(server, {
      email: `${unique('s')}@example.com`,
      groups: [group],
      status: 'unsubscribed',
    });
    const gone = await saveContact(server, {
      email: `${unique('s')}@example.com`,
      groups: [group],
    });
    expect((await send(server, 'DELETE', `/contacts/${gone.id}`)).status).toBe(200);
    expect(await ids(`group=${group}`)).toEqual([live.id]);
    expect(await ids(`group=${group}&status=unsubscribed`)).toEqual([live.id]);
    expect(await ids(`group=${group}&status=confirmed`)).toEqual([]);
    expect(await ids(`group=${group}&status=deleted`)).toEqual([gone.id]);
  });

  it('filters by field.<key>, read as the defined type, and by meta.<key> (only contacts with a phone)', async () => {
    const group = unique('Fields');
    await server.database.db
      .insertInto('field_definitions')
      .values({
        key: 'seats',
        type: 'number',
        label: null,
        options: null,
        created_at: 0,
        updated_at: 0,
      })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    const three = await saveContact(server, {
      email: `${unique('f')}@example.com`,
      phone: '+491712345678',
      groups: [group],
      fields: { seats: '3', plan: 'pro', trial: true },
    });
    const four = await saveContact(server, {
      email: `${unique('f')}@example.com`,
      phone: '+441632960961',
      groups: [group],
      fields: { seats: 4, plan: 'basic' },
    });
    const phoneless = await saveContact(server, {
      email: `${unique('f')}@example.com`,
      groups: [group],
      fields: { plan: 'pro' },
    });
    expect(three.fields.seats).toBe(3);
    expect(await ids(`group=${group}&field.seats=3`)).toEqual([three.id]);
    expect(await ids(`group=${group}&field.plan=pro`)).toEqual([phoneless.id, three.id]);
    expect(await ids(`group=${group}&field.trial=true`)).toEqual([three.id]);
    expect(await ids(`group=${group}&field.plan=pro&field.seats=3`)).toEqual([three.id]);

    expect(await ids(`group=${group}&meta.country=de`)).toEqual([three.id]);
    expect(await ids(`group=${group}&meta.isValid=true`)).toEqual([three.id]);
    // 01632 960xxx is Ofcom's drama range: possible, not valid.
    expect(await ids(`group=${group}&meta.isValid=false`)).toEqual([four.id]);
    expect(await ids(`group=${group}&meta.isBlocked=false`)).toEqual([four.id, three.id]);
    expect(await ids(`group=${group}&meta.type=mobile`)).toEqual([three.id]);
    expect(await ids(`group=${group}&meta.msisdn=%2B491712345678`)).toEqual([three.id]);

    expect(await issueFields(await send(server, 'GET', '/contacts?field.seats=abc'))).toEqual([
      'field.seats',
    ]);
    expect(await issueFields(await send(server, 'GET', '/contacts?field.bad%20key=1'))).toEqual([
      'field.bad key',
    ]);
    expect(await issueFields(await send(server, 'GET', '/contacts?meta.isValid=maybe'))).toEqual([
      'meta.isValid',
    ]);
    expect(await issueFields(await send(server, 'GET', '/contacts?meta.carrier=x'))).toEqual([
      'meta.carrier',
    ]);
  });

  it('refuses unknown filters and unreadable values with 422 naming them', async () => {
    expect(await issueFields(await send(server, 'GET', '/contacts?labels=Coworker'))).toEqual([
      'labels',
    ]);
    expect(await issueFields(await send(server, 'GET', '/contacts?email=nope'))).toEqual(['email']);
    expect(await issueFields(await send(server, 'GET', '/contacts?phone=12'))).toEqual(['phone']);
    expect(await issueFields(await send(server, 'GET', '/contacts?status=gone'))).toEqual([
      'status',
    ]);
    expect(await issueFields(await send(server, 'GET', '/contacts?cursor=abc'))).toContain(
      'cursor',
    );
  });

  it('pages with limit 1–1000 (default 100) and a cursor, each contact exactly once', async () => {
    const group = unique('Pages');
    const made: number[] = [];
    for (let i = 0; i < 23; i++)
      made.push(
        (await saveContact(server, { email: `${unique('p')}@example.com`, groups: [group] })).id,
      );
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Page = await list(`group=${group}&limit=5${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(5);
      seen.push(...page.items.map((c) => c.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null);
    expect(pages).toBe(5);
    expect(seen).toEqual([...made].reverse());

    expect((await list(`group=${group}`)).items).toHaveLength(23);
    expect((await list(`group=${group}`)).nextCursor).toBeNull();
    expect((await list(`group=${group}&limit=1000`)).items).toHaveLength(23);
    expect(await issueFields(await send(server, 'GET', '/contacts?limit=1001'))).toEqual(['limit']);
    expect(await issueFields(await send(server, 'GET', '/contacts?limit=0'))).toEqual(['limit']);
  });

  it('answers 100 contacts by default', async () => {
    const group = unique('Default');
    await server.database.db.transaction().execute(async (trx) => {
      const now = Date.now();
      const rows = await trx
        .insertInto('contacts')
        .values(
          Array.from({ length: 101 }, (_, i) => ({
            email: `${group.toLowerCase()}-${i}@example.com`,
            fields: '{}',
            status: 'confirmed' as const,
            source: 'test',
            created_at: now,
            updated_at: now,
          })),
        )
        .returning('id')
        .execute();
      const { id } = await trx
        .insertInto('groups')
        .values({ name: group, created_at: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('contact_groups')
        .values(rows.map((r) => ({ contact_id: r.id, group_id: id, created_at: now })))
        .execute();
    });
    const page = await list(`group=${group}`);
    expect(page.items).toHaveLength(100);
    expect(page.nextCursor).not.toBeNull();
  });
});
