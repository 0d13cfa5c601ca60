// The authenticated /api/v1 app: OpenAPI-described routes whose input errors name the field.
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AuthEnv } from '../auth/require-api-key.ts';
import { ValidationError } from '../errors.ts';
import { zodIssues } from './error-handler.ts';

export type ApiApp = OpenAPIHono<AuthEnv>;

export function createApiApp(): ApiApp {
  return new OpenAPIHono<AuthEnv>({
    defaultHook: (result) => {
      if (!result.success) throw new ValidationError(zodIssues(result.error));
    },
  });
}

/** Response entries shared by every authenticated route, for the OpenAPI document. */
export const errorResponses = {
  401: { description: 'Missing, unknown or revoked API key' },
  403: { description: 'The key lacks the scope this route needs' },
  422: { description: 'Invalid input; `error.issues` names each field' },
} as const;

export const security = [{ bearerAuth: [] }];
