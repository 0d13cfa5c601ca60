// API_RATE_LIMIT: a budget per API key (the bootstrap key too); beyond it 429 with Retry-After.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../server/auth/api-keys.ts';
import { createTestDatabase, type TestDatabase, testDialects } from './helpers/databases.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

const PER_MINUTE = 3;

describe.each(testDialects())('API rate limit per key on %s', (dialect) => {
  let database: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    server = await startTestServer({
      DATABASE_URL: database.url,
      API_RATE_LIMIT: String(PER_MINUTE),
    });
  });
  afterAll(async () => {
    await server?.close();
    await database?.drop();
  });

  const call = (path: string, key: string, init: RequestInit = {}) =>
    fetch(`${server.url}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    });
  /** A key made in the database, so making it spends no API budget. */
  const newKey = async (name: string) =>
    (await createApiKey(server.database.db, { name, scopes: ['admin'] })).key;

  const expectLimited = async (res: Response) => {
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
  };

  it('answers 429 with Retry-After beyond the budget, on every route, for that key only', async () => {
    const busy = await newKey('busy');
    const other = await newKey('other');
    for (let i = 0; i < PER_MINUTE; i++)
      expect((await call('/api/v1/keys', busy)).status).toBe(200);
    await expectLimited(await call('/api/v1/keys', busy));
    await expectLimited(
      await call('/api/v1/keys', busy, {
        method: 'POST',
        body: JSON.stringify({ name: 'more', scopes: ['admin'] }),
      }),
    );
    await expectLimited(await call('/api/v1/keys/1', busy, { method: 'DELETE' }));
    await expectLimited(await call('/api/v1/events', busy));

    expect((await call('/api/v1/keys', other)).status).toBe(200);
    expect((await call('/api/v1/events', other)).status).toBe(200);
  });

  it('gives the bootstrap key a budget of its own', async () => {
    for (let i = 0; i < PER_MINUTE; i++)
      expect((await server.api('/api/v1/keys')).status).toBe(200);
    await expectLimited(await server.api('/api/v1/keys'));
    expect((await call('/api/v1/keys', await newKey('fresh'))).status).toBe(200);
  });

  it('refuses an unknown key with 401 however often, and never limits the public spec', async () => {
    for (let i = 0; i <= PER_MINUTE; i++) {
      expect((await call('/api/v1/keys', 'sf_unknown')).status).toBe(401);
      expect((await fetch(`${server.url}/api/v1/openapi.json`)).status).toBe(200);
    }
  });
});
