// Contact `fields` keys: at most 100 a request, and every key kept as given or refused with a 422.
import { describe, expect, it } from 'vitest';
import { checkFieldValues } from '../server/contacts/store/field-values.ts';
import { getContactJson, saveContact, send } from './helpers/contacts.ts';
import { testDialects } from './helpers/databases.ts';
import { rowCounts } from './helpers/row-counts.ts';
import { serverPerSuite } from './helpers/server.ts';

/** `{k0: 0, k1: 1, …}` with `n` keys. */
const manyFields = (n: number) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));

describe.each(testDialects())('contact field keys on %s', (dialect) => {
  const server = serverPerSuite(dialect);

  /** The 422's issues as `field: message`; the request must have written nothing. */
  async function refused(request: () => Promise<Response>): Promise<string[]> {
    const before = await rowCounts(server.database.db);
    const res = await request();
    const body = (await res.json()) as {
      error: { issues?: { field: string; message: string }[] };
    };
    expect(res.status, JSON.stringify(body).slice(0, 500)).toBe(422);
    expect(await rowCounts(server.database.db)).toEqual(before);
    return (body.error.issues ?? []).map((i) => `${i.field}: ${i.message}`);
  }

  it('takes 100 fields, and refuses 101 or 70,000 with a 422 naming fields and the limit', async () => {
    const saved = await saveContact(server, {
      email: 'hundred@example.com',
      fields: manyFields(100),
    });
    expect(Object.keys(saved.fields)).toHaveLength(100);
    for (const n of [101, 70_000]) {
      expect(
        await refused(() =>
          send(server, 'POST', '/contacts', { email: 'many@example.com', fields: manyFields(n) }),
        ),
      ).toEqual([`fields: at most 100 keys (got ${n})`]);
    }
    const list = Array.from({ length: 101 }, (_, i) => ({ id: i, value: 'x' }));
    expect(
      await refused(() => send(server, 'PATCH', `/contacts/${saved.id}`, { fields: list })),
    ).toEqual(['fields: at most 100 keys (got 101)']);
  });

  it('refuses keys an object would not keep as given, on each body shape', async () => {
    const contact = await saveContact(server, { email: 'keys@example.com' });
    const proto = '{"email":"keys@example.com","fields":{"__proto__":"x","plan":"pro"}}';
    const res = () => server.api('/api/v1/contacts', { method: 'POST', body: proto });
    expect(await refused(res)).toEqual(['fields.__proto__: "__proto__" cannot be a field key']);
    expect(
      await refused(() =>
        send(server, 'PATCH', `/contacts/${contact.id}`, {
          fields: [
            { id: 'constructor', value: 1 },
            { id: 'prototype', value: 2 },
          ],
        }),
      ),
    ).toEqual([
      'fields.0.id: "constructor" cannot be a field key',
      'fields.1.id: "prototype" cannot be a field key',
    ]);
    const ip1 = '{"properties":{"email":"ip1-keys@example.com","__proto__":"x"}}';
    expect(
      await refused(() => server.api('/api/v1/contacts', { method: 'POST', body: ip1 })),
    ).toEqual(['properties.__proto__: "__proto__" cannot be a field key']);
    expect((await getContactJson(server, contact.id)).fields).toEqual({});
  });

  it('refuses keys that are one key once trimmed, or given twice', async () => {
    const contact = await saveContact(server, { email: 'twice@example.com' });
    expect(
      await refused(() =>
        send(server, 'PUT', `/contacts/${contact.id}`, { fields: { plan: 'a', ' plan ': 'b' } }),
      ),
    ).toEqual(['fields. plan : the same key as "plan" once trimmed']);
    expect(
      await refused(() =>
        send(server, 'PATCH', `/contacts/${contact.id}`, {
          fields: [
            { id: 7, value: 'a' },
            { id: '7', value: 'b' },
          ],
        }),
      ),
    ).toEqual(['fields.1.id: the same key as "7" once trimmed']);
    expect(
      await refused(() =>
        send(server, 'POST', '/contacts', {
          email: 'inwise-twice@example.com',
          mobile_number: '+972541111111',
          fields: [
            { name: 'f1', content: 'a' },
            { name: 'f1', content: 'b' },
          ],
        }),
      ),
    ).toEqual(['fields.1.name: the same key as "f1" once trimmed']);
    expect(
      await refused(() =>
        send(server, 'POST', '/contacts', {
          properties: { email: 'ip1-twice@example.com', dept: 'a', 'dept ': 'b' },
        }),
      ),
    ).toEqual(['properties.dept : the same key as "dept" once trimmed']);
  });

  it('reads definitions for any number of keys (the store does not rely on the API cap)', async () => {
    const res = await send(server, 'POST', '/fields', { key: 'k69999', type: 'number' });
    expect(res.status).toBe(201);
    const fields = { ...manyFields(70_000), k69999: '12' };
    const checked = await checkFieldValues(server.database.db, fields);
    expect(Object.keys(checked)).toHaveLength(70_000);
    expect(checked.k69999).toBe(12);
  });
});
