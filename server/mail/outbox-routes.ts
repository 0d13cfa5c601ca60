// /api/v1/mail-outbox/counts: how much mail waits, went out, failed or was withdrawn.
import { createRoute, z } from '@hono/zod-openapi';
import { requireScope } from '../auth/require-api-key.ts';
import type { DB } from '../db/open-database.ts';
import { type ApiApp, errorResponses, security } from '../http/api-app.ts';
import { countMailByStatus } from './outbox/count-mail.ts';

const OutboxCounts = z
  .object({
    pending: z.number().int().openapi({ description: 'Queued: not sent yet (including retries)' }),
    sent: z.number().int(),
    failed: z.number().int().openapi({ description: 'Gave up after the last retry' }),
    cancelled: z.number().int().openapi({ description: 'Withdrawn: its contact was deleted' }),
    dueNow: z
      .number()
      .int()
      .openapi({ description: 'Pending mail already due: a backlog, not a retry backoff' }),
  })
  .openapi('OutboxCounts');

export function registerOutboxRoutes(api: ApiApp, db: DB): void {
  api.openapi(
    createRoute({
      method: 'get',
      path: '/mail-outbox/counts',
      tags: ['mail'],
      summary: 'Mail in the outbox by state',
      security,
      middleware: [requireScope('contacts:read')] as const,
      responses: {
        200: {
          description: 'Counts by state',
          content: { 'application/json': { schema: OutboxCounts } },
        },
        ...errorResponses,
      },
    }),
    async (c) => c.json(await countMailByStatus(db, Date.now()), 200),
  );
}
