// Pieces of route declarations the contacts API's routes files share: bodies, answers, scopes.
import type { z } from '@hono/zod-openapi';
import type { Scope } from '../../auth/scopes.ts';
import { errorResponse } from '../../http/api-app.ts';

/** A JSON request body; `required: false` lets a call send no body at all. */
export const jsonBody = <T extends z.ZodType>(schema: T, required = true) => ({
  content: { 'application/json': { schema } },
  required,
});

/** A JSON answer with its resource schema. */
export const jsonAnswer = <T extends z.ZodType>(description: string, schema: T) => ({
  description,
  content: { 'application/json': { schema } },
});

/** The scope a route needs, in its 403's description (after `...errorResponses`). */
export const lacking = (scope: Scope) => ({
  403: errorResponse(`The key lacks the ${scope} scope`),
});
