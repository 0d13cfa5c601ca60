// /api/v1/keys: list, create and revoke API keys; admin keys only, so no key reaches more than it has.
import { createRoute, z } from '@hono/zod-openapi';
import type { DB } from '../db/open-database.ts';
import {
  type ApiApp,
  errorResponse,
  errorResponses,
  idPathParams,
  security,
} from '../http/api-app.ts';
import { pageQuery } from '../http/pagination.ts';
import { ApiKeyResource, CreatedApiKeyResource, ScopeSchema } from './api-key-resource.ts';
import { issueApiKey, listApiKeys, revokeApiKey } from './manage-api-keys.ts';
import { requireScope } from './require-api-key.ts';
import { scopes } from './scopes.ts';

const NewApiKeyRequest = z
  .object({
    name: z.string().trim().min(1).max(200).openapi({ example: 'crm' }),
    scopes: z.array(ScopeSchema).min(1).max(scopes.length),
  })
  .strict()
  .openapi('NewApiKey');

const jsonOf = (schema: z.ZodType, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

const adminOnly = 'Needs an admin key, so a key never creates one with more power than it has.';

export function registerApiKeyRoutes(api: ApiApp, db: DB): void {
  api.openapi(
    createRoute({
      method: 'get',
      path: '/keys',
      tags: ['keys'],
      summary: 'List API keys, newest first (never their secrets)',
      description: adminOnly,
      security,
      middleware: [requireScope('admin')] as const,
      request: { query: z.object(pageQuery) },
      responses: {
        200: jsonOf(
          z.object({ items: z.array(ApiKeyResource), nextCursor: z.string().nullable() }),
          'A page of keys, revoked ones included',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(await listApiKeys(db, { before: q.cursor, limit: q.limit }), 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'post',
      path: '/keys',
      tags: ['keys'],
      summary: 'Create an API key; the answer is the only time its secret is shown',
      description: adminOnly,
      security,
      middleware: [requireScope('admin')] as const,
      request: {
        body: { content: { 'application/json': { schema: NewApiKeyRequest } }, required: true },
      },
      responses: {
        201: jsonOf(CreatedApiKeyResource, 'The new key, with its secret as `key`'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const { name, scopes } = c.req.valid('json');
      const principal = c.get('principal');
      return c.json(await issueApiKey(db, { principal, name, scopes, now: Date.now() }), 201);
    },
  );

  api.openapi(
    createRoute({
      method: 'delete',
      path: '/keys/{id}',
      tags: ['keys'],
      summary: 'Revoke an API key at once (revoking it again changes nothing)',
      description: adminOnly,
      security,
      middleware: [requireScope('admin')] as const,
      request: { params: idPathParams },
      responses: {
        204: { description: 'Revoked: the next request with this key is a 401' },
        404: errorResponse('No such key'),
        ...errorResponses,
      },
    }),
    async (c) => {
      await revokeApiKey(db, { id: c.req.valid('param').id, now: Date.now() });
      return c.body(null, 204);
    },
  );
}
