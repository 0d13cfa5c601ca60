// The ApiKey resource: one zod schema that documents (OpenAPI) and types a key as the API shows it.
import { z } from '@hono/zod-openapi';
import type { ApiKeyRow } from '../db/schema.ts';
import { scopes } from './scopes.ts';

const time = z.string().openapi({ format: 'date-time', example: '2026-12-03T10:00:00.000Z' });

export const ScopeSchema = z.enum(scopes).openapi('Scope', {
  description: '`admin` grants every scope, and alone reaches /keys',
});

export const ApiKeyResource = z
  .object({
    id: z.number().int().openapi({ example: 3 }),
    name: z.string().openapi({ example: 'crm' }),
    scopes: z.array(ScopeSchema),
    prefix: z.string().openapi({
      description: 'The first characters of the key, to tell keys apart; never the secret',
      example: 'sf_Xa3k',
    }),
    createdAt: time,
    lastUsedAt: time.nullable().openapi({
      description: 'Last authenticated request, recorded at most once a minute',
    }),
    revokedAt: time.nullable(),
  })
  .openapi('ApiKey');

export const CreatedApiKeyResource = ApiKeyResource.extend({
  key: z.string().openapi({
    description: 'The secret, shown only in this answer: only its hash is stored',
    example: 'sf_Xa3kQ0u9cT1d4bEw2hYpL8mN5rV7sZ6f',
  }),
}).openapi('CreatedApiKey');

export type ApiKeyView = z.infer<typeof ApiKeyResource>;

const isoOrNull = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function toApiKeyView(row: ApiKeyRow): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    scopes: z.array(ScopeSchema).parse(JSON.parse(row.scopes)),
    prefix: row.prefix,
    createdAt: new Date(row.created_at).toISOString(),
    lastUsedAt: isoOrNull(row.last_used_at),
    revokedAt: isoOrNull(row.revoked_at),
  };
}
