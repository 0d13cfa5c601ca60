// Middleware for /api/v1: a Bearer (or X-API-Key) key must be valid and carry the route's scope.
import type { MiddlewareHandler } from 'hono';
import type { DB } from '../db/open-database.ts';
import { ForbiddenError, UnauthorizedError } from '../errors.ts';
import { type ApiPrincipal, hasScope, verifyApiKey } from './api-keys.ts';
import type { Scope } from './scopes.ts';

export type AuthEnv = { Variables: { principal: ApiPrincipal } };

export function requireApiKey(
  db: DB,
  bootstrapKey: string | undefined,
): MiddlewareHandler<AuthEnv> {
  return async function requireApiKey(c, next) {
    const bearer = c.req.header('authorization')?.match(/^Bearer\s+(\S+)$/i)?.[1];
    const presented = bearer ?? c.req.header('x-api-key');
    if (!presented) throw new UnauthorizedError('missing API key: send Authorization: Bearer KEY');
    const principal = await verifyApiKey(db, presented, bootstrapKey, Date.now());
    if (!principal) throw new UnauthorizedError('unknown or revoked API key');
    c.set('principal', principal);
    await next();
  };
}

export function requireScope(scope: Scope): MiddlewareHandler<AuthEnv> {
  return async function requireScope(c, next) {
    if (!hasScope(c.get('principal'), scope)) {
      throw new ForbiddenError(`this API key lacks the ${scope} scope`);
    }
    await next();
  };
}
