// GET /api/v1/contacts/changes: the change feed a CRM follows to keep its copy of the contacts.
import { createRoute, z } from '@hono/zod-openapi';
import { requireScope } from '../../auth/require-api-key.ts';
import type { DB } from '../../db/open-database.ts';
import { type ApiApp, errorResponses, security } from '../../http/api-app.ts';
import { givenOnce, limitQuery } from '../../http/pagination.ts';
import { decodeChangeCursor, FEED_START } from '../change-cursor.ts';
import { ContactResource } from '../contact-resource.ts';
import { listContactChanges } from '../list-changes.ts';

const cursorParam = z
  .string(givenOnce('cursor'))
  .optional()
  .transform((cursor, ctx) => {
    if (cursor === undefined || cursor === '') return FEED_START;
    const position = decodeChangeCursor(cursor);
    if (position) return position;
    ctx.addIssue({ code: 'custom', message: 'expected a nextCursor from a previous page' });
    return z.NEVER;
  })
  .openapi({
    type: 'string',
    description: 'A `nextCursor` from a previous page; empty or absent: from the beginning',
    example: 'WzgxMiw0Ml0',
  });

/** Unknown keys are refused, as on GET /contacts: a misspelt `cursor` must not restart the feed. */
const ChangesQuery = z.strictObject(
  { cursor: cursorParam, limit: limitQuery },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? 'unknown query key; use cursor or limit' : undefined,
  },
);

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
        query: ChangesQuery,
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
