// Lone UTF-16 surrogates (`"\ud800"`) are refused with a 422 at every body; well-formed pairs are kept.
import { describe, expect, it } from 'vitest';
import { type ContactJson, type ErrorJson, saveContact, send } from './helpers/contacts.ts';
import { testDialects } from './helpers/databases.ts';
import { rowCounts } from './helpers/row-counts.ts';
import { serverPerSuite } from './helpers/server.ts';

const LONE_HIGH = '\ud800';
const LONE_LOW = '\udc00';
const GRINNING = '\ud83d\ude00';

describe.each(testDialects())('unstorable text on %s', (dialect) => {
  const server = serverPerSuite(dialect);

  /** The fields a 422 names; the request must have written nothing. */
  async function refused(request: () => Promise<Response>): Promise<string[]> {
    const before = await rowCounts(server.database.db);
    const res = await request();
    const body = (await res.json()) as ErrorJson;
    expect(res.status, JSON.stringify(body)).toBe(422);
    expect(body.error.message).toMatch(/lone UTF-16 surrogate/);
    expect(await rowCounts(server.database.db)).toEqual(before);
    return (body.error.issues ?? []).map((i) => i.field);
  }

  it('refuses a lone surrogate in a contact field value, and field filters and definitions still work', async () => {
    const fields = await refused(() =>
      send(server, 'POST', '/contacts', {
        email: 'lone-value@example.com',
        fields: { plan: `pro${LONE_HIGH}` },
      }),
    );
    expect(fields).toEqual(['fields.plan']);
    // What a stored lone surrogate broke on PostgreSQL: every later cast of the fields to jsonb.
    const list = await send(server, 'GET', '/contacts?field.plan=pro');
    expect(list.status).toBe(200);
    const define = await send(server, 'POST', '/fields', { key: 'plan', type: 'text' });
    expect(define.status).toBe(201);
  });

  it('refuses a lone surrogate in a key, naming it readably', async () => {
    const fields = await refused(() =>
      send(server, 'POST', '/contacts', {
        email: 'lone-key@example.com',
        fields: [{ id: `x${LONE_LOW}`, value: 1 }],
      }),
    );
    expect(fields).toEqual(['fields.0.id']);
    const keyFields = await refused(() =>
      send(server, 'PATCH', '/contacts/1', { fields: { [`k${LONE_LOW}`]: 1 } }),
    );
    expect(keyFields).toEqual(['fields.k\\udc00']);
  });

  it('refuses one in every other body of the API', async () => {
    const contact = await saveContact(server, { email: 'lone-other@example.com' });
    const cases: [string, string, unknown, string][] = [
      ['POST', '/groups', { name: `G${LONE_HIGH}` }, 'name'],
      ['PUT', `/contacts/${contact.id}`, { firstName: LONE_LOW }, 'firstName'],
      [
        'POST',
        '/events',
        { type: 'orderPaid', contactId: contact.id, params: { note: LONE_HIGH } },
        'params.note',
      ],
      [
        'POST',
        '/contact/subscribe',
        { contact: { channels: [{ type: 'email', value: 'a@b.co' }], lastName: LONE_HIGH } },
        'contact.lastName',
      ],
      ['PATCH', '/forms/newsletter', { texts: { title: `Hi ${LONE_LOW}` } }, 'texts.title'],
    ];
    for (const [method, path, body, field] of cases) {
      expect(await refused(() => send(server, method, path, body)), `${method} ${path}`).toEqual([
        field,
      ]);
    }
  });

  it('refuses one in the public subscribe', async () => {
    const fields = await refused(() =>
      server.subscribe('newsletter', { email: 'lone-public@example.com', firstName: LONE_HIGH }),
    );
    expect(fields).toEqual(['firstName']);
  });

  it('keeps well-formed pairs (emoji) as given, and finds them by a field filter', async () => {
    const saved = await saveContact(server, {
      email: 'emoji@example.com',
      firstName: `Ann ${GRINNING}`,
      fields: { mood: GRINNING },
    });
    expect(saved).toMatchObject({ firstName: `Ann ${GRINNING}`, fields: { mood: GRINNING } });
    const res = await send(server, 'GET', `/contacts?field.mood=${encodeURIComponent(GRINNING)}`);
    expect(res.status).toBe(200);
    const page = (await res.json()) as { items: ContactJson[] };
    expect(page.items.map((c) => c.id)).toEqual([saved.id]);
  });

  it('answers a query value of surrogate bytes (which decode to no lone surrogate) without a 5xx', async () => {
    const res = await send(server, 'GET', '/contacts?field.plan=%ED%A0%80');
    expect(res.status).toBe(200);
  });
});
