// /api/v1/contacts: reading contacts (the full contacts API grows here).
import { createRoute, z } from '@hono/zod-openapi';
import { requireScope } from '../auth/require-api-key.ts';
import type { DB } from '../db/open-database.ts';
import { type ApiApp, errorResponses, security } from '../http/api-app.ts';
import { getContact } from './get-contact.ts';

const ContactResource = z.looseObject({ id: z.number(), status: z.string() }).openapi('Contact');

export function registerContactRoutes(api: ApiApp, db: DB): void {
  api.openapi(
    createRoute({
      method: 'get',
      path: '/contacts/{id}',
      tags: ['contacts'],
      security,
      middleware: [requireScope('contacts:read')] as const,
      request: { params: z.object({ id: z.coerce.number().int().positive() }) },
      responses: {
        200: {
          description: 'The contact',
          content: { 'application/json': { schema: ContactResource } },
        },
        404: { description: 'No such contact' },
        ...errorResponses,
      },
    }),
    async (c) => c.json(await getContact(db, c.req.valid('param').id), 200),
  );
}
