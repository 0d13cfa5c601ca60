// API keys: created by the CLI, stored as SHA-256 hashes, checked on every /api/v1 request.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { DB } from '../db/open-database.ts';

export const scopes = [
  'admin',
  'contacts:read',
  'contacts:write',
  'forms:read',
  'forms:write',
  'events:read',
  'events:write',
  'workflows:read',
  'workflows:write',
] as const;
export type Scope = (typeof scopes)[number];
export const scopeSchema = z.enum(scopes);

export interface ApiPrincipal {
  keyId: number | 'bootstrap';
  name: string;
  scopes: Scope[];
}

const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

/**
 * Creates a key and returns it in clear text; only its hash is stored.
 * @example const { key } = await createApiKey(db, { name: 'crm', scopes: ['contacts:write'] });
 */
export async function createApiKey(
  db: DB,
  input: { name: string; scopes: Scope[] },
): Promise<{ id: number; key: string }> {
  const key = `sf_${randomBytes(24).toString('base64url')}`;
  const row = await db
    .insertInto('api_keys')
    .values({
      name: input.name,
      key_hash: hashKey(key),
      prefix: key.slice(0, 7),
      scopes: JSON.stringify(input.scopes),
      created_at: Date.now(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, key };
}

/** Looks a presented key up; `undefined` when it is unknown or revoked. */
export async function verifyApiKey(
  db: DB,
  presented: string,
  bootstrapKey: string | undefined,
): Promise<ApiPrincipal | undefined> {
  if (bootstrapKey && safeEqual(presented, bootstrapKey)) {
    return { keyId: 'bootstrap', name: 'bootstrap', scopes: ['admin'] };
  }
  const row = await db
    .selectFrom('api_keys')
    .select(['id', 'name', 'scopes'])
    .where('key_hash', '=', hashKey(presented))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
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
