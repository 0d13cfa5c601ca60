// GET /api/v1/contacts/changes: the change feed a CRM follows to keep its copy of the contacts.
import { createRoute, z } from '@hono/zod-openapi';
import { requireScope } from '../../auth/require-api-key.ts';
import type { DB } from '../../db/open-database.ts';
import { type ApiApp, errorResponses, security } from '../../http/api-app.ts';
import { decodeChangeCursor, FEED_START } from '../change-cursor.ts';
import { ContactResource } from '../contact-resource.ts';
import { listContactChanges } from '../list-changes.ts';

const cursorParam = z
  .string()
  .optional()
  .transform((cursor, ctx) => {
    if (cursor === undefined) return FEED_START;
    const position = decodeChangeCursor(cursor);
    if (position) return position;
    ctx.addIssue({ code: 'custom', message: 'expected a nextCursor from a previous page' });
    return z.NEVER;
  })
  .openapi({
    description: 'A `nextCursor` from a previous page; absent: from the beginning',
    example: 'WzgxMiw0Ml0',
  });

export const ContactChangesPage = z
  .object({
    items: z.array(ContactResource).openapi({
      description:
        'Contacts created or changed after the cursor, oldest change first, each in its current ' +
        'state (deleted contacts included, with status `deleted`)',
    }),
    nextCursor: z.string().openapi({
      description:
        'Always present: pass it to get what changed next, now or later (also when `items` is empty)',
      example: 'WzgxMiw0Ml0',
    }),
  })
  .openapi('ContactChangesPage');

export function registerContactChangesRoute(api: ApiApp, db: DB): void {
  api.openapi(
    createRoute({
      method: 'get',
      path: '/contacts/changes',
      tags: ['contacts'],
      summary: 'Contacts created or changed since a cursor',
      description:
        'Following `nextCursor` returns every change exactly once, with no gaps even under ' +
        'concurrent writes. A contact changed several times between two reads appears once, ' +
        'with its latest state. On PostgreSQL a change shows once every write transaction that ' +
        'started before it has ended.',
      security,
      middleware: [requireScope('contacts:read')] as const,
      request: {
        query: z.object({
          cursor: cursorParam,
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
      },
      responses: {
        200: {
          description: 'A page of changed contacts',
          content: { 'application/json': { schema: ContactChangesPage } },
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const { cursor, limit } = c.req.valid('query');
      return c.json(await listContactChanges(db, { after: cursor, limit }), 200);
    },
  );
}
