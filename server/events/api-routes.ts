// GET /api/v1/events: the event log, newest first, filtered by type and contact.
import { createRoute, z } from '@hono/zod-openapi';
import { requireScope } from '../auth/require-api-key.ts';
import type { DB } from '../db/open-database.ts';
import { type ApiApp, errorResponses, security } from '../http/api-app.ts';
import { pageQuery } from '../http/pagination.ts';
import { listEvents } from './list-events.ts';

const EventResource = z
  .object({
    id: z.number(),
    type: z.string(),
    key: z.string(),
    contactId: z.number().nullable(),
    params: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
  })
  .openapi('Event');

export function registerEventRoutes(api: ApiApp, db: DB): void {
  api.openapi(
    createRoute({
      method: 'get',
      path: '/events',
      tags: ['events'],
      security,
      middleware: [requireScope('events:read')] as const,
      request: {
        query: z.object({
          type: z.string().min(1).max(200).optional(),
          contactId: z.coerce.number().int().positive().optional(),
          ...pageQuery,
        }),
      },
      responses: {
        200: {
          description: 'A page of events',
          content: {
            'application/json': {
              schema: z.object({
                items: z.array(EventResource),
                nextCursor: z.string().nullable(),
              }),
            },
          },
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const page = await listEvents(db, {
        type: q.type,
        contactId: q.contactId,
        before: q.cursor === undefined ? undefined : Number(q.cursor),
        limit: q.limit,
      });
      return c.json(page, 200);
    },
  );
}
