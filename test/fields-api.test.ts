// Custom field definitions over the API: CRUD, the index per field, refusals that name the field.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createApiKey } from '../server/auth/api-keys.ts';
import { testDialects } from './helpers/databases.ts';
import { serverPerSuite } from './helpers/server.ts';

interface Definition {
  key: string;
  type: string;
  label: string | null;
  options: string[] | null;
  createdAt: string;
  updatedAt: string;
}
interface ErrorBody {
  error: { code: string; message: string; issues?: { field: string; message: string }[] };
}

describe.each(testDialects())('field definitions API on %s', (dialect) => {
  const server = serverPerSuite(dialect);

  const unique = (prefix: string) => `${prefix}_${randomBytes(4).toString('hex')}`;
  const send = (method: string, path: string, body?: unknown) =>
    server.api(path, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  const define = async (body: object) => {
    const res = await send('POST', '/api/v1/fields', body);
    expect(res.status, JSON.stringify(await res.clone().json())).toBe(201);
    return (await res.json()) as Definition;
  };
  const issues = async (res: Response) => ((await res.json()) as ErrorBody).error.issues ?? [];
  /** A contact holding these field values, written before any definition checks them. */
  const contactWith = async (fields: Record<string, unknown>) => {
    const res = await send('POST', '/api/v1/contact/subscribe', {
      contact: { email: `${unique('c')}@example.com`, fields },
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { id: number }).id;
  };
  /** The expression indexes on contacts, as each engine's catalog lists them. */
  const fieldIndexes = async () => {
    const db = server.database.db;
    const { rows } =
      dialect === 'sqlite'
        ? await sql<{ name: string; sql: string }>`
            select name, sql from sqlite_master
            where type = 'index' and name like 'contacts_field_%'`.execute(db)
        : await sql<{ name: string; sql: string }>`
            select indexname as name, indexdef as sql from pg_indexes
            where schemaname = current_schema() and indexname like 'contacts_field_%'`.execute(db);
    return rows;
  };

  it('answers 401 without a key and 403 without the scope', async () => {
    const key = unique('scoped');
    await define({ key, type: 'text' });
    const routes: [string, string, object?][] = [
      ['GET', '/api/v1/fields'],
      ['GET', `/api/v1/fields/${key}`],
      ['POST', '/api/v1/fields', { key: unique('k'), type: 'text' }],
      ['PATCH', `/api/v1/fields/${key}`, { label: 'L' }],
      ['DELETE', `/api/v1/fields/${key}`],
    ];
    const { key: reader } = await createApiKey(server.database.db, {
      name: 'reader',
      scopes: ['contacts:read'],
    });
    const { key: stranger } = await createApiKey(server.database.db, {
      name: 'stranger',
      scopes: ['forms:write'],
    });
    const call = (method: string, path: string, body?: object, apiKey?: string) =>
      fetch(`${server.url}${path}`, {
        method,
        headers: {
          'content-type': 'application/json',
          ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
        },
        body: body && JSON.stringify(body),
      });
    for (const [method, path, body] of routes) {
      expect((await call(method, path, body)).status, `${method} ${path}`).toBe(401);
      expect((await call(method, path, body, stranger)).status, `${method} ${path}`).toBe(403);
      expect((await call(method, path, body, reader)).status, `${method} ${path}`).toBe(
        method === 'GET' ? 200 : 403,
      );
    }
  });

  it('defines, lists, reads, changes and deletes a field, with its index', async () => {
    const key = unique('plan');
    const created = await define({ key, type: 'enum', label: 'Plan', options: ['free', 'pro'] });
    expect(created).toMatchObject({ key, type: 'enum', label: 'Plan', options: ['free', 'pro'] });
    expect((await send('POST', '/api/v1/fields', { key, type: 'text' })).status).toBe(409);
    const indexes = await fieldIndexes();
    expect(indexes.some((i) => i.sql.includes(key))).toBe(true);

    const list = (await (await server.api('/api/v1/fields')).json()) as {
      items: Definition[];
      nextCursor: null;
    };
    expect(list.items.find((d) => d.key === key)).toEqual(created);
    expect(list.items.map((d) => d.key)).toEqual([...list.items.map((d) => d.key)].sort());
    expect(await (await server.api(`/api/v1/fields/${key}`)).json()).toEqual(created);

    const relabelled = await send('PATCH', `/api/v1/fields/${key}`, {
      label: null,
      options: ['free', 'pro', 'team'],
    });
    expect(relabelled.status).toBe(200);
    expect(await relabelled.json()).toMatchObject({
      label: null,
      options: ['free', 'pro', 'team'],
    });
    const toText = await send('PATCH', `/api/v1/fields/${key}`, { type: 'text' });
    expect(await toText.json()).toMatchObject({ type: 'text', options: null });

    expect((await send('DELETE', `/api/v1/fields/${key}`)).status).toBe(204);
    expect((await fieldIndexes()).some((i) => i.sql.includes(key))).toBe(false);
    for (const [method, body] of [
      ['GET', undefined],
      ['PATCH', { label: 'x' }],
      ['DELETE', undefined],
    ] as const) {
      expect((await send(method, `/api/v1/fields/${key}`, body)).status, method).toBe(404);
    }
  });

  it('refuses bad keys, types and options, naming each', async () => {
    const cases: [object, string][] = [
      [{ key: 'no spaces', type: 'text' }, 'key'],
      [{ key: 'x'.repeat(65), type: 'text' }, 'key'],
      [{ key: unique('k'), type: 'color' }, 'type'],
      [{ key: unique('k'), type: 'enum' }, 'options'],
      [{ key: unique('k'), type: 'enum', options: [] }, 'options'],
      [{ key: unique('k'), type: 'enum', options: ['a', 'a'] }, 'options'],
      [
        { key: unique('k'), type: 'enum', options: Array.from({ length: 101 }, (_, i) => `o${i}`) },
        'options',
      ],
      [{ key: unique('k'), type: 'text', options: ['a'] }, 'options'],
      [{ key: unique('k'), type: 'text', label: '' }, 'label'],
      [{ key: unique('k'), type: 'text', extra: 1 }, 'extra'],
    ];
    for (const [body, field] of cases) {
      const res = await send('POST', '/api/v1/fields', body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(
        (await issues(res)).map((i) => i.field),
        JSON.stringify(body),
      ).toContain(field);
    }
    const key = unique('seats');
    await define({ key, type: 'number' });
    for (const [body, field] of [
      [{ options: ['a'] }, 'options'],
      [{ type: 'enum' }, 'options'],
      [{}, '(body)'],
    ] as const) {
      const res = await send('PATCH', `/api/v1/fields/${key}`, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect((await issues(res)).map((i) => i.field)).toContain(field);
    }
    expect((await send('GET', '/api/v1/fields/bad%20key')).status).not.toBe(200);
  });

  it('refuses a definition or a change that values already stored would not fit', async () => {
    const key = unique('tier');
    const holder = await contactWith({ [key]: 'gold' });
    const refused = await send('POST', '/api/v1/fields', {
      key,
      type: 'enum',
      options: ['free', 'pro'],
    });
    expect(refused.status).toBe(422);
    const [issue] = await issues(refused);
    expect(issue?.field).toBe('type');
    expect(issue?.message).toContain(`contact ${holder}`);
    expect(issue?.message).toContain('"gold"');
    expect((await fieldIndexes()).some((i) => i.sql.includes(key))).toBe(false);
    expect((await send('GET', `/api/v1/fields/${key}`)).status).toBe(404);

    await define({ key, type: 'enum', options: ['free', 'pro', 'gold'] });
    const dropGold = await send('PATCH', `/api/v1/fields/${key}`, { options: ['free', 'pro'] });
    expect(dropGold.status).toBe(422);
    expect((await issues(dropGold))[0]?.field).toBe('options');
    const toNumber = await send('PATCH', `/api/v1/fields/${key}`, { type: 'number' });
    expect(toNumber.status).toBe(422);
    expect((await issues(toNumber))[0]?.field).toBe('type');

    // A text "3" is not a number 3: a number field refuses it rather than compare unlike values.
    const count = unique('count');
    await contactWith({ [count]: '3' });
    expect((await send('POST', '/api/v1/fields', { key: count, type: 'number' })).status).toBe(422);
    await define({ key: count, type: 'text' });
  });

  it('keeps values when a definition is deleted, and checks nothing for that key afterwards', async () => {
    const key = unique('seats');
    await define({ key, type: 'number' });
    const id = await contactWith({ [key]: '12' });
    const stored = (await (await server.api(`/api/v1/contacts/${id}`)).json()) as {
      fields: Record<string, unknown>;
    };
    expect(stored.fields[key]).toBe(12);
    const wrong = await send('POST', '/api/v1/contact/subscribe', {
      contact: { email: `${unique('w')}@example.com`, fields: { [key]: 'many' } },
    });
    expect(wrong.status).toBe(422);
    expect((await issues(wrong)).map((i) => i.field)).toEqual([`fields.${key}`]);

    expect((await send('DELETE', `/api/v1/fields/${key}`)).status).toBe(204);
    const kept = (await (await server.api(`/api/v1/contacts/${id}`)).json()) as {
      fields: Record<string, unknown>;
    };
    expect(kept.fields[key]).toBe(12);
    expect((await contactWith({ [key]: 'many' })) > 0).toBe(true);
  });

  it('documents every field route with its resource', async () => {
    const doc = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(Object.keys(doc.paths['/fields'] ?? {})).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/fields/{key}'] ?? {})).toEqual(['get', 'patch', 'delete']);
    expect(doc.paths['/fields']?.post?.responses).toHaveProperty('409');
    expect(doc.paths['/fields/{key}']?.delete?.responses['403']).toEqual({
      description: 'The key lacks the contacts:write scope',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    });
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['FieldDefinition', 'DefineFieldRequest', 'ChangeFieldRequest']),
    );
  });
});
