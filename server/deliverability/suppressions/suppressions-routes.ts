// /api/v1/suppressions: the addresses no mail is queued for; list, add and remove entries.
import { createRoute, z } from '@hono/zod-openapi';
import type { AppDeps } from '../../app-deps.ts';
import { requireScope } from '../../auth/require-api-key.ts';
import type { SuppressionRow } from '../../db/schema.ts';
import { withTransaction } from '../../db/unit-of-work.ts';
import { NotFoundError } from '../../errors.ts';
import { type ApiApp, errorResponse, errorResponses, security } from '../../http/api-app.ts';
import { givenOnce, pageQuery } from '../../http/pagination.ts';
import { emailSchema } from '../../subscribe/input-fields.ts';
import { listSuppressions, suppressAddress, unsuppressAddress } from './suppression-rows.ts';

const reasons = ['bounce', 'complaint', 'manual'] as const;

export const SuppressionResource = z
  .object({
    id: z.number().int(),
    email: z.string().openapi({ description: 'Lower-cased' }),
    reason: z.enum(reasons),
    detail: z.string().nullable(),
    createdAt: z.iso.datetime(),
  })
  .openapi('Suppression');

const toView = (row: SuppressionRow): z.infer<typeof SuppressionResource> => ({
  id: Number(row.id),
  email: row.email,
  reason: row.reason,
  detail: row.detail,
  createdAt: new Date(Number(row.created_at)).toISOString(),
});

const SuppressionPage = z
  .object({ items: z.array(SuppressionResource), nextCursor: z.string().nullable() })
  .openapi('SuppressionPage');

const AddSuppression = z
  .object({
    email: emailSchema,
    reason: z.enum(reasons).default('manual'),
    detail: z.string().max(1000).optional(),
  })
  .strict()
  .openapi('AddSuppressionRequest');

const emailParam = z.object({
  email: z
    .string()
    .min(3)
    .max(254)
    .openapi({ param: { name: 'email', in: 'path' }, example: 'ann@example.com' }),
});

export function registerSuppressionRoutes(api: ApiApp, deps: Pick<AppDeps, 'db' | 'wakeups'>) {
  const { db, wakeups } = deps;
  api.openapi(
    createRoute({
      method: 'get',
      path: '/suppressions',
      tags: ['deliverability'],
      summary: 'The suppression list, newest first',
      security,
      middleware: [requireScope('deliverability:read')] as const,
      request: {
        query: z.object({
          reason: z.enum(reasons, givenOnce('reason')).optional(),
          ...pageQuery,
        }),
      },
      responses: {
        200: {
          description: 'A page of entries',
          content: { 'application/json': { schema: SuppressionPage } },
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const page = await listSuppressions(
        db,
        { reason: q.reason, before: q.cursor, limit: q.limit },
        toView,
      );
      return c.json(page, 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'post',
      path: '/suppressions',
      tags: ['deliverability'],
      summary: 'Suppress an address: no mail is queued for it, mail still pending is withdrawn',
      description: 'Adding an address already listed keeps its first entry (200).',
      security,
      middleware: [requireScope('deliverability:write')] as const,
      request: {
        body: { content: { 'application/json': { schema: AddSuppression } }, required: true },
      },
      responses: {
        201: {
          description: 'Added',
          content: { 'application/json': { schema: SuppressionResource } },
        },
        200: {
          description: 'Already listed: the existing entry',
          content: { 'application/json': { schema: SuppressionResource } },
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const { row, created } = await withTransaction({ db, wakeups }, (tx) =>
        suppressAddress(tx, { ...body, now: Date.now() }),
      );
      return created ? c.json(toView(row), 201) : c.json(toView(row), 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'delete',
      path: '/suppressions/{email}',
      tags: ['deliverability'],
      summary: 'Take an address off the list',
      description:
        'Mail may be queued for it again. The contact’s status (`bounced`, `unsubscribed`) is ' +
        'not changed: set it with PATCH /api/v1/contacts/{id} when the person asks.',
      security,
      middleware: [requireScope('deliverability:write')] as const,
      request: { params: emailParam },
      responses: {
        204: { description: 'Removed' },
        404: errorResponse('The address is not on the list'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const { email } = c.req.valid('param');
      if (!(await unsuppressAddress(db, email)))
        throw new NotFoundError(`${email} is not on the suppression list`);
      return c.body(null, 204);
    },
  );
}
