// Listing, issuing and revoking API keys for a caller of the API (the CLI creates keys directly).
import type { DB } from '../db/open-database.ts';
import { ForbiddenError, NotFoundError } from '../errors.ts';
import { toPage } from '../http/pagination.ts';
import { type ApiKeyView, toApiKeyView } from './api-key-resource.ts';
import { type ApiPrincipal, createApiKey, hasScope } from './api-keys.ts';
import type { Scope } from './scopes.ts';

/** Keys newest first, revoked ones included (with `revokedAt`); never the secret. */
export async function listApiKeys(
  db: DB,
  input: { before?: number; limit: number },
): Promise<{ items: ApiKeyView[]; nextCursor: string | null }> {
  let query = db
    .selectFrom('api_keys')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(input.limit + 1);
  if (input.before !== undefined) query = query.where('id', '<', input.before);
  return toPage(await query.execute(), input.limit, toApiKeyView);
}

/**
 * Creates a key for `principal`, who can only hand out scopes it holds itself (an admin key holds
 * them all). Answers the new key's view with the secret, which is never shown again.
 * @example await issueApiKey(db, { principal, name: 'crm', scopes: ['contacts:read'], now });
 */
export async function issueApiKey(
  db: DB,
  input: { principal: ApiPrincipal; name: string; scopes: Scope[]; now: number },
): Promise<ApiKeyView & { key: string }> {
  const wanted = [...new Set(input.scopes)];
  const beyond = wanted.filter((scope) => !hasScope(input.principal, scope));
  if (beyond.length) {
    throw new ForbiddenError(
      `this API key cannot grant ${beyond.join(', ')}: a key can only create keys with scopes it holds`,
    );
  }
  const { key, row } = await createApiKey(db, { name: input.name, scopes: wanted }, input.now);
  return { ...toApiKeyView(row), key };
}

/**
 * Revokes a key: the next request presenting it is refused. Revoking a revoked key changes
 * nothing (its first `revokedAt` stays); an unknown id is a NotFoundError.
 */
export async function revokeApiKey(db: DB, input: { id: number; now: number }): Promise<void> {
  const revoked = await db
    .updateTable('api_keys')
    .set({ revoked_at: input.now })
    .where('id', '=', input.id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (revoked.numUpdatedRows > 0n) return;
  const known = await db
    .selectFrom('api_keys')
    .select('id')
    .where('id', '=', input.id)
    .executeTakeFirst();
  if (!known) throw new NotFoundError(`no API key ${input.id}`);
}
