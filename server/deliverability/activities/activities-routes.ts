// /api/v1/activities: the activity log within a time range, and the funnel's counts over it.
import { createRoute, z } from '@hono/zod-openapi';
import type { AppDeps } from '../../app-deps.ts';
import { requireScope } from '../../auth/require-api-key.ts';
import { ValidationError } from '../../errors.ts';
import { type ApiApp, errorResponses, security } from '../../http/api-app.ts';
import { givenOnce, pageQuery } from '../../http/pagination.ts';
import { ActivityResource, activityActions } from './activity-resource.ts';
import { listActivities, summarizeActivities } from './list-activities.ts';

/** Without `from`, a range starts this long before its end. */
const DEFAULT_SPAN_MS = 7 * 24 * 3600_000;

const instant = (name: string) =>
  z
    .string(givenOnce(name))
    .pipe(z.iso.datetime({ offset: true, message: 'expected an ISO 8601 date-time' }))
    .transform((text) => Date.parse(text))
    .optional()
    .openapi({ type: 'string', format: 'date-time' });

const rangeQuery = {
  from: instant('from').openapi({
    description: 'Inclusive start; default: 7 days before `to`',
  }),
  to: instant('to').openapi({ description: 'Exclusive end; default: now' }),
  workflow: z.string(givenOnce('workflow')).min(1).max(200).optional(),
};

function rangeOf(q: { from?: number; to?: number; workflow?: string }) {
  const to = q.to ?? Date.now();
  const from = q.from ?? to - DEFAULT_SPAN_MS;
  if (from > to) throw new ValidationError([{ field: 'from', message: 'must not be after to' }]);
  return { from, to, workflow: q.workflow };
}

const ActivityPage = z
  .object({ items: z.array(ActivityResource), nextCursor: z.string().nullable() })
  .openapi('ActivityPage');

const Count = z.object({
  total: z.number().int().openapi({ description: 'Activities of this action' }),
  unique: z.number().int().openapi({ description: 'Distinct recipients (contacts) among them' }),
});

const ActivitySummary = z
  .object({
    from: z.iso.datetime(),
    to: z.iso.datetime(),
    ...Object.fromEntries(activityActions.map((action) => [action, Count])),
  })
  .openapi('ActivitySummary');

export function registerActivityRoutes(api: ApiApp, deps: Pick<AppDeps, 'db'>): void {
  const { db } = deps;
  api.openapi(
    createRoute({
      method: 'get',
      path: '/activities',
      tags: ['deliverability'],
      summary: 'Mail activities (sent, delivered, opened, clicked, bounced…), newest first',
      description:
        'Within `from`..`to` (default: the last 7 days), optionally one action or workflow.',
      security,
      middleware: [requireScope('deliverability:read')] as const,
      request: {
        query: z.object({
          action: z.enum(activityActions, givenOnce('action')).optional(),
          ...rangeQuery,
          ...pageQuery,
        }),
      },
      responses: {
        200: {
          description: 'A page of activities',
          content: { 'application/json': { schema: ActivityPage } },
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const page = await listActivities(db, {
        ...rangeOf(q),
        action: q.action,
        before: q.cursor,
        limit: q.limit,
      });
      return c.json(page, 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/activities/summary',
      tags: ['deliverability'],
      summary: 'The funnel: per action, total activities and unique recipients',
      description: 'Over `from`..`to` (default: the last 7 days), optionally one workflow.',
      security,
      middleware: [requireScope('deliverability:read')] as const,
      request: { query: z.object(rangeQuery) },
      responses: {
        200: {
          description: 'Counts per action',
          content: { 'application/json': { schema: ActivitySummary } },
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const range = rangeOf(c.req.valid('query'));
      const counts = await summarizeActivities(db, range);
      return c.json(
        {
          from: new Date(range.from).toISOString(),
          to: new Date(range.to).toISOString(),
          ...counts,
        },
        200,
      );
    },
  );
}
