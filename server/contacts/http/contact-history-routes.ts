// /api/v1/contacts/{id}/consents, /contacts/{id}/timeline and /funnel: where contacts came from.
import { createRoute, z } from '@hono/zod-openapi';
import { requireScope } from '../../auth/require-api-key.ts';
import type { DB } from '../../db/open-database.ts';
import { type ApiApp, errorResponse, errorResponses, security } from '../../http/api-app.ts';
import { givenOnce } from '../../http/pagination.ts';
import { consentFunnel } from '../consent-funnel.ts';
import { listConsents } from '../consents.ts';
import { contactTimeline } from '../contact-timeline.ts';
import { contactIdParams } from './contact-schemas.ts';

const time = z.string().openapi({ format: 'date-time', example: '2026-12-03T10:00:00.000Z' });

const ConsentResource = z
  .object({
    id: z.number().int(),
    kind: z.enum(['subscribe', 'confirm', 'unsubscribe']),
    formType: z.string().nullable().openapi({ description: 'The form (its id) it went through' }),
    ip: z.string().nullable().openapi({ description: 'Cleared by an erase' }),
    userAgent: z.string().nullable(),
    createdAt: time,
  })
  .openapi('Consent');

const TimelineEntry = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('event'),
      at: time,
      id: z.number().int(),
      type: z.string(),
      params: z.record(z.string(), z.unknown()),
    }),
    z.object({
      kind: z.literal('mail'),
      at: time,
      id: z.number().int(),
      mailKind: z.string().openapi({ example: 'confirmation' }),
      subject: z.string(),
      status: z.enum(['pending', 'sent', 'failed', 'cancelled']),
      sentAt: time.nullable(),
      error: z.string().nullable(),
    }),
    z.object({
      kind: z.literal('step'),
      at: time,
      id: z.number().int(),
      runId: z.number().int(),
      workflow: z.string(),
      stepId: z.string(),
      op: z.string(),
      status: z.enum(['running', 'waiting', 'completed', 'failed']),
      error: z.string().nullable(),
    }),
  ])
  .openapi('TimelineEntry');

const counts = {
  subscribed: z.number().int(),
  confirmed: z.number().int(),
  unsubscribed: z.number().int(),
  confirmationRate: z.number().nullable().openapi({
    description:
      'confirmed / subscribed (0–1, may pass 1 when older sign-ups confirm); null with no sign-up',
  }),
};
const Funnel = z
  .object({
    from: z.string().openapi({ format: 'date', description: 'First UTC day counted' }),
    to: z.string().openapi({ format: 'date' }),
    days: z.array(
      z.object({
        date: z.string().openapi({ format: 'date' }),
        form: z.string().nullable(),
        ...counts,
      }),
    ),
    totals: z.array(z.object({ form: z.string().nullable(), ...counts })),
  })
  .openapi('ConsentFunnel');

const timelineLimit = z
  .string(givenOnce('limit'))
  .regex(/^[1-9][0-9]{0,2}$/, 'expected a whole number from 1 to 500')
  .transform(Number)
  .refine((n) => n <= 500, 'expected a whole number from 1 to 500')
  .default(100)
  .openapi({ type: 'integer', minimum: 1, maximum: 500, default: 100 });

const funnelDays = z
  .string(givenOnce('days'))
  .regex(/^[1-9][0-9]{0,2}$/, 'expected a whole number from 1 to 366')
  .transform(Number)
  .refine((n) => n <= 366, 'expected a whole number from 1 to 366')
  .default(30)
  .openapi({ type: 'integer', minimum: 1, maximum: 366, default: 30 });

const json = (schema: z.ZodType, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export function registerContactHistoryRoutes(api: ApiApp, db: DB): void {
  api.openapi(
    createRoute({
      method: 'get',
      path: '/contacts/{id}/consents',
      tags: ['contacts'],
      summary: "A contact's consent records (subscribe, confirm, unsubscribe), oldest first",
      security,
      middleware: [requireScope('contacts:read')] as const,
      request: { params: contactIdParams },
      responses: {
        200: json(z.object({ items: z.array(ConsentResource) }), 'Every consent record'),
        404: errorResponse('No contact with this id'),
        ...errorResponses,
      },
    }),
    async (c) => c.json({ items: await listConsents(db, c.req.valid('param').id) }, 200),
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/contacts/{id}/timeline',
      tags: ['contacts'],
      summary:
        'What happened to a contact: its events, mail and workflow steps in one list, newest first',
      description:
        'The newest `limit` entries. A mail entry is the outbox row (its status: `pending`, `sent`, ' +
        '`failed`, `cancelled`), without its body; a step entry names its run and workflow.',
      security,
      middleware: [requireScope('contacts:read')] as const,
      request: { params: contactIdParams, query: z.object({ limit: timelineLimit }) },
      responses: {
        200: json(z.object({ items: z.array(TimelineEntry) }), 'The timeline, newest first'),
        404: errorResponse('No contact with this id'),
        ...errorResponses,
      },
    }),
    async (c) =>
      c.json(
        { items: await contactTimeline(db, c.req.valid('param').id, c.req.valid('query').limit) },
        200,
      ),
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/funnel',
      tags: ['contacts'],
      summary:
        'The double opt-in funnel per form and per UTC day: subscribed, confirmed, unsubscribed',
      description:
        'Counted from consent records of the last `days` UTC days, today included: a subscribe ' +
        '(every public or API subscribe through a form), a confirm (the link used) and an ' +
        'unsubscribe. `form` is the form id (null: no form). An unsubscribe leaves every form, so it ' +
        'is counted under `form: null`, never under a form. Days with nothing are left out.',
      security,
      middleware: [requireScope('contacts:read')] as const,
      request: {
        query: z.object({
          days: funnelDays,
          form: z.string(givenOnce('form')).min(1).max(200).optional(),
        }),
      },
      responses: {
        200: json(Funnel, 'Counts per day and form, and totals per form'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(await consentFunnel(db, { days: q.days, form: q.form, now: Date.now() }), 200);
    },
  );
}
