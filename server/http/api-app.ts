// The authenticated /api/v1 app: OpenAPI-described routes whose input errors name the field.
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { AuthEnv } from '../auth/require-api-key.ts';
import { ValidationError } from '../errors.ts';
import { throwRouteMiss } from './api-fallback.ts';
import { type ErrorBody, errorCodes, zodIssues } from './error-handler.ts';

export type ApiApp = OpenAPIHono<AuthEnv>;

/** The largest request body the API reads (10 MiB); beyond it 413. */
export const API_BODY_LIMIT = 10 * 1024 * 1024;

export function createApiApp(): ApiApp {
  const app: ApiApp = new OpenAPIHono<AuthEnv>({
    defaultHook: (result, c) => {
      if (result.success) return;
      // A path that names no resource (`/contacts/abc`) is not found (or another method's path),
      // not an invalid input.
      if (result.target === 'param') throwRouteMiss(app, c);
      throw new ValidationError(zodIssues(result.error));
    },
  });
  return app;
}

/** True for an id as the API writes one: decimal digits without sign or leading zero, a safe integer. */
export const isIdText = (text: string) =>
  /^[1-9][0-9]{0,15}$/.test(text) && Number(text) <= Number.MAX_SAFE_INTEGER;

/**
 * A numbered resource's id in a path or a query, read from its text. Not `z.coerce.number()`:
 * `Number()` also reads `0x10`, `1e3`, `01`, ` 1` and `+1`, so one resource had many paths.
 */
export const idSchema = z
  .string()
  .refine(isIdText, 'expected an id: decimal digits, 1 to 9007199254740991')
  .transform(Number)
  .openapi({ type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER, example: 1 });

/** The `id` path parameter of a numbered resource; one that is not an id as written is a 404. */
export const idPathParams = z.object({
  id: idSchema.openapi({ param: { name: 'id', in: 'path' } }),
});

export const ErrorResource = z
  .object({
    error: z.object({
      code: z.enum([...errorCodes, 'internal']),
      message: z.string(),
      requestId: z.string().optional().openapi({ description: 'Also the X-Request-Id header' }),
      issues: z
        .array(z.object({ field: z.string(), message: z.string() }))
        .optional()
        .openapi({ description: 'On 422: each invalid field' }),
      contactIds: z.array(z.number().int()).optional(),
    }),
  })
  .openapi('Error') satisfies z.ZodType<ErrorBody>;

/** A documented error answer: what it means, and the Error JSON every error answer carries. */
export const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: ErrorResource } },
});

/** Response entries shared by every authenticated route, for the OpenAPI document. */
export const errorResponses = {
  400: errorResponse('The body is not what its Content-Type says (malformed JSON): `bad_request`'),
  401: errorResponse('Missing, unknown or revoked API key'),
  403: errorResponse('The key lacks the scope this route needs'),
  413: errorResponse('The body is larger than the API accepts (10 MiB)'),
  415: errorResponse(
    'A body whose Content-Type the route does not take (send `application/json`): ' +
      '`unsupported_media_type`',
  ),
  422: errorResponse('Invalid input; `error.issues` names each field'),
  429: {
    ...errorResponse('Beyond this API key’s budget of API_RATE_LIMIT requests a minute'),
    headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } },
  },
} as const;

export const security = [{ bearerAuth: [] }];

/** Rules that hold for every path, which OpenAPI has no per-operation place for (405). */
const apiRules = `Authenticate with \`Authorization: Bearer KEY\` (or \`X-API-Key: KEY\`).

- 401: no key, or an unknown or revoked one. 403: the key lacks the route's scope.
- 404 (\`not_found\`): no resource at this path, including an id that cannot be one (\`/contacts/abc\`).
- 405 (\`method_not_allowed\`): the path exists but not with this method; the \`Allow\` header lists its methods.
- 400 (\`bad_request\`): the body is not what its \`Content-Type\` says (malformed JSON).
- 413: the body is over 10 MiB. 415 (\`unsupported_media_type\`): a body of a type the route does not take.
- 422 (\`validation_failed\`): \`error.issues\` names each invalid field.
- 429 (\`rate_limited\`): beyond API_RATE_LIMIT requests a minute for this key; \`Retry-After\` says when to retry.
- Lists answer \`{items, nextCursor}\`; pass \`cursor=nextCursor\` for the next page.`;

/** The OpenAPI document's head; the paths come from the registered routes. */
export function apiDocumentConfig(publicUrl: string) {
  return {
    openapi: '3.0.3',
    info: { title: 'Subflow API', version: '1', description: apiRules },
    servers: [{ url: `${publicUrl}/api/v1` }],
  };
}
