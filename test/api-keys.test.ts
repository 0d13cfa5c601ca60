// API keys over the API: create (shown once), list (never the secret), revoke at once, and each error.
import { describe, expect, it } from 'vitest';
import { KEY_USE_RESOLUTION_MS } from '../server/auth/api-keys.ts';
import { issueApiKey } from '../server/auth/manage-api-keys.ts';
import { scopes } from '../server/auth/scopes.ts';
import { ForbiddenError } from '../server/errors.ts';
import { testDialects } from './helpers/databases.ts';
import { serverPerSuite } from './helpers/server.ts';

interface KeyJson {
  id: number;
  name: string;
  scopes: string[];
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  key?: string;
}
interface ErrorJson {
  error: { code: string; message: string; issues?: { field: string }[] };
}

describe.each(testDialects())('API keys over the API on %s', (dialect) => {
  const server = serverPerSuite(dialect);

  /** A request with `key` (none when undefined) instead of the bootstrap key. */
  const call = (path: string, key: string | undefined, init: RequestInit = {}) =>
    fetch(`${server.url}${path}`, {
      ...init,
      headers: {
        'content-type': 'application/json',
        ...(key ? { authorization: `Bearer ${key}` } : {}),
      },
    });
  const create = async (name: string, keyScopes: string[]): Promise<KeyJson & { key: string }> => {
    const res = await server.api('/api/v1/keys', {
      method: 'POST',
      body: JSON.stringify({ name, scopes: keyScopes }),
    });
    expect(res.status).toBe(201);
    return (await res.json()) as KeyJson & { key: string };
  };
  const listed = async (id: number): Promise<KeyJson | undefined> => {
    const page = (await (await server.api('/api/v1/keys?limit=1000')).json()) as {
      items: KeyJson[];
    };
    return page.items.find((k) => k.id === id);
  };
  const keyRow = (id: number) =>
    server.database.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  it('creates a key shown once, which then works with exactly its scopes', async () => {
    const created = await create('crm', ['events:read', 'events:read']);
    expect(created).toEqual({
      id: expect.any(Number),
      name: 'crm',
      scopes: ['events:read'],
      prefix: created.key.slice(0, 7),
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      lastUsedAt: null,
      revokedAt: null,
      key: expect.stringMatching(/^sf_[\w-]{32}$/),
    });
    expect((await call('/api/v1/events', created.key)).status).toBe(200);
    expect((await call('/api/v1/forms', created.key)).status).toBe(403);
    expect((await call('/api/v1/keys', created.key)).status).toBe(403);
  });

  it('lists keys newest first in pages, never with their secrets', async () => {
    const made = [await create('a', ['forms:read']), await create('b', ['forms:read'])];
    const third = await create('c', ['forms:read']);
    made.push(third);
    const first = await server.api('/api/v1/keys?limit=2');
    const text = await first.text();
    for (const { key } of made) expect(text).not.toContain(key);
    expect(text).not.toContain((await keyRow(third.id)).key_hash);
    const page = JSON.parse(text) as { items: KeyJson[]; nextCursor: string | null };
    expect(page.items.map((k) => k.id)).toEqual([third.id, third.id - 1]);
    expect(Object.keys(page.items[0] ?? {}).sort()).toEqual(
      ['createdAt', 'id', 'lastUsedAt', 'name', 'prefix', 'revokedAt', 'scopes'].sort(),
    );
    expect(page.nextCursor).toBe(String(third.id - 1));
    const next = (await (
      await server.api(`/api/v1/keys?limit=2&cursor=${page.nextCursor}`)
    ).json()) as { items: KeyJson[] };
    expect(next.items[0]?.id).toBe(third.id - 2);
  });

  it('revokes at once: the next request with the key is a 401, and revoking again is fine', async () => {
    const { id, key } = await create('leaving', ['events:read']);
    expect((await call('/api/v1/events', key)).status).toBe(200);
    expect((await server.api(`/api/v1/keys/${id}`, { method: 'DELETE' })).status).toBe(204);
    const refused = await call('/api/v1/events', key);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as ErrorJson).error.message).toMatch(/revoked/);
    const revokedAt = (await listed(id))?.revokedAt;
    expect(revokedAt).toEqual(expect.any(String));
    expect((await server.api(`/api/v1/keys/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await listed(id))?.revokedAt).toBe(revokedAt);
  });

  it('records a key’s last use at most once a minute', async () => {
    const { id, key } = await create('busy', ['events:read']);
    const setLastUse = (at: number) =>
      server.database.db
        .updateTable('api_keys')
        .set({ last_used_at: at })
        .where('id', '=', id)
        .execute();

    expect((await call('/api/v1/events', key)).status).toBe(200);
    expect((await keyRow(id)).last_used_at).toEqual(expect.any(Number));

    const recent = Date.now() - KEY_USE_RESOLUTION_MS / 2;
    await setLastUse(recent);
    expect((await call('/api/v1/events', key)).status).toBe(200);
    expect(Number((await keyRow(id)).last_used_at)).toBe(recent);

    const stale = Date.now() - KEY_USE_RESOLUTION_MS - 1000;
    await setLastUse(stale);
    const before = Date.now();
    expect((await call('/api/v1/events', key)).status).toBe(200);
    expect(Number((await keyRow(id)).last_used_at)).toBeGreaterThanOrEqual(before);
    expect(Date.parse((await listed(id))?.lastUsedAt ?? '')).toBeGreaterThanOrEqual(before);
  });

  it('answers 401 with no, an unknown or a revoked key, and 403 to every key without admin', async () => {
    const everythingButAdmin = await create(
      'almost',
      scopes.filter((s) => s !== 'admin'),
    );
    const revoked = await create('gone', ['admin']);
    await server.api(`/api/v1/keys/${revoked.id}`, { method: 'DELETE' });
    const routes: [string, RequestInit][] = [
      ['/api/v1/keys', {}],
      ['/api/v1/keys', { method: 'POST', body: JSON.stringify({ name: 'x', scopes: ['admin'] }) }],
      [`/api/v1/keys/${revoked.id}`, { method: 'DELETE' }],
    ];
    for (const [path, init] of routes) {
      for (const key of [undefined, 'sf_not-a-key', revoked.key]) {
        const res = await call(path, key, init);
        expect(res.status, `${init.method ?? 'GET'} ${path}`).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Bearer');
      }
      const forbidden = await call(path, everythingButAdmin.key, init);
      expect(forbidden.status).toBe(403);
      expect(((await forbidden.json()) as ErrorJson).error.message).toContain('admin');
    }
  });

  it('answers 404 for an unknown or impossible key id, and 405 with Allow for other methods', async () => {
    for (const id of ['999999999', 'abc', '0', '-1', '1.5', '99999999999999999999']) {
      const res = await server.api(`/api/v1/keys/${id}`, { method: 'DELETE' });
      expect(res.status, id).toBe(404);
      expect(((await res.json()) as ErrorJson).error.code).toBe('not_found');
    }
    expect((await server.api('/api/v1/keys/1/extra', { method: 'DELETE' })).status).toBe(404);

    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      const res = await server.api('/api/v1/keys', { method });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, HEAD, POST');
      expect(((await res.json()) as ErrorJson).error.code).toBe('method_not_allowed');
    }
    for (const method of ['GET', 'POST', 'PUT']) {
      const res = await server.api('/api/v1/keys/1', { method });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('DELETE');
    }
  });

  it('refuses bad input with a 422 naming each field, and changes nothing', async () => {
    const count = async () =>
      (await server.database.db.selectFrom('api_keys').select('id').execute()).length;
    const before = await count();
    const cases: [unknown, string[]][] = [
      [{}, ['name', 'scopes']],
      [{ name: '  ', scopes: [] }, ['name', 'scopes']],
      [{ name: 'x', scopes: ['root'] }, ['scopes.0']],
      [{ name: 'x'.repeat(201), scopes: ['admin'] }, ['name']],
      [{ name: 'x', scopes: ['admin'], key: 'sf_mine' }, ['key']],
    ];
    for (const [body, fields] of cases) {
      const res = await server.api('/api/v1/keys', { method: 'POST', body: JSON.stringify(body) });
      expect(res.status, JSON.stringify(body)).toBe(422);
      const issues = ((await res.json()) as ErrorJson).error.issues?.map((i) => i.field);
      expect(issues).toEqual(expect.arrayContaining(fields));
    }
    for (const query of ['limit=0', 'limit=1001', 'cursor=abc']) {
      expect((await server.api(`/api/v1/keys?${query}`)).status, query).toBe(422);
    }
    expect(await count()).toBe(before);
  });

  it('refuses a body over the API limit with 413', async () => {
    const res = await server.api('/api/v1/keys', {
      method: 'POST',
      body: JSON.stringify({ name: 'x'.repeat(10 * 1024 * 1024), scopes: ['admin'] }),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as ErrorJson).error.code).toBe('payload_too_large');
  });

  it('lets a key hand out only scopes it holds', async () => {
    const db = server.database.db;
    const reader = { keyId: 1, name: 'reader', scopes: ['contacts:read' as const] };
    const now = Date.now();
    await expect(
      issueApiKey(db, { principal: reader, name: 'up', scopes: ['contacts:read', 'admin'], now }),
    ).rejects.toThrow(ForbiddenError);
    await expect(
      issueApiKey(db, { principal: reader, name: 'up', scopes: ['contacts:write'], now }),
    ).rejects.toThrow(/cannot grant contacts:write/);
    const same = await issueApiKey(db, {
      principal: reader,
      name: 'same',
      scopes: ['contacts:read'],
      now,
    });
    expect(same).toMatchObject({
      scopes: ['contacts:read'],
      createdAt: new Date(now).toISOString(),
    });
    const admin = { keyId: 'bootstrap' as const, name: 'bootstrap', scopes: ['admin' as const] };
    const all = await issueApiKey(db, { principal: admin, name: 'all', scopes: [...scopes], now });
    expect(all.scopes).toEqual([...scopes]);
  });
});
