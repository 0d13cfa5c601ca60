// API keys: created by the CLI or the API, stored as SHA-256 hashes, checked on every /api/v1 request.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { DB } from '../db/open-database.ts';
import type { ApiKeyRow } from '../db/schema.ts';
import { type Scope, scopes } from './scopes.ts';

export const scopeSchema = z.enum(scopes);

export interface ApiPrincipal {
  keyId: number | 'bootstrap';
  name: string;
  scopes: Scope[];
}

/**
 * How stale `last_used_at` may get. Recording every use would turn every request into a write;
 * once a minute per key is enough to tell a key in use from a forgotten one.
 */
export const KEY_USE_RESOLUTION_MS = 60_000;

const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

/**
 * Creates a key and returns it in clear text, once; only its hash is stored.
 * @example const { key } = await createApiKey(db, { name: 'crm', scopes: ['contacts:write'] });
 */
export async function createApiKey(
  db: DB,
  input: { name: string; scopes: Scope[] },
  now = Date.now(),
): Promise<{ id: number; key: string; row: ApiKeyRow }> {
  const key = `sf_${randomBytes(24).toString('base64url')}`;
  const row = await db
    .insertInto('api_keys')
    .values({
      name: input.name,
      key_hash: hashKey(key),
      prefix: key.slice(0, 7),
      scopes: JSON.stringify(input.scopes),
      created_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { id: row.id, key, row };
}

/**
 * Looks a presented key up; `undefined` when it is unknown or revoked. A stored key's use is
 * recorded in `last_used_at`, at most once per KEY_USE_RESOLUTION_MS.
 */
export async function verifyApiKey(
  db: DB,
  presented: string,
  bootstrapKey: string | undefined,
  now = Date.now(),
): Promise<ApiPrincipal | undefined> {
  if (bootstrapKey && safeEqual(presented, bootstrapKey)) {
    return { keyId: 'bootstrap', name: 'bootstrap', scopes: ['admin'] };
  }
  const row = await db
    .selectFrom('api_keys')
    .select(['id', 'name', 'scopes', 'last_used_at'])
    .where('key_hash', '=', hashKey(presented))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  const staleBefore = now - KEY_USE_RESOLUTION_MS;
  if (row.last_used_at === null || row.last_used_at <= staleBefore) {
    // Conditional, so concurrent requests (or other processes) write it once between them.
    await db
      .updateTable('api_keys')
      .set({ last_used_at: now })
      .where('id', '=', row.id)
      .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<=', staleBefore)]))
      .execute();
  }
  return {
    keyId: row.id,
    name: row.name,
    scopes: z.array(scopeSchema).parse(JSON.parse(row.scopes)),
  };
}

export function hasScope(principal: ApiPrincipal, scope: Scope): boolean {
  return principal.scopes.includes('admin') || principal.scopes.includes(scope);
}

function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}
