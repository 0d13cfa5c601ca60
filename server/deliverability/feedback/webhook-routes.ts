// /api/v1/webhooks/*: bounces, complaints and deliveries reported by a mail provider.
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppDeps } from '../../app-deps.ts';
import { requireScope } from '../../auth/require-api-key.ts';
import { ValidationError } from '../../errors.ts';
import { type ApiApp, errorResponses, security } from '../../http/api-app.ts';
import { zodIssues } from '../../http/error-handler.ts';
import { applyFeedback, type MailFeedback } from './apply-feedback.ts';
import {
  fromGeneric,
  fromPostmark,
  GenericFeedbackBody,
  genericFeedbackShape,
  PostmarkBody,
} from './webhook-formats.ts';

const FeedbackResult = z
  .object({
    received: z.number().int(),
    applied: z.number().int(),
    duplicates: z
      .number()
      .int()
      .openapi({ description: 'Reports about a mail already reported (a retry): ignored' }),
    ignored: z.number().int().openapi({ description: 'Records not about delivery' }),
  })
  .openapi('MailFeedbackResult');

const description =
  'Needs an API key with the `deliverability:write` scope (`Authorization: Bearer KEY` or ' +
  '`X-API-Key: KEY`). A hard bounce suppresses the address and marks its contact `bounced`; a ' +
  'complaint suppresses it and marks the contact `unsubscribed`; a soft bounce and a delivery ' +
  'are recorded as activities.';

/** A refused generic body, its errors those of the shape it is (one event, or `events`). */
async function refuseAsItsShape(c: Context, error: z.ZodError): Promise<never> {
  const raw: unknown = await c.req.json();
  const again = genericFeedbackShape(raw).safeParse(raw);
  throw new ValidationError(zodIssues(again.success ? error : again.error));
}

export function registerFeedbackWebhookRoutes(api: ApiApp, deps: Pick<AppDeps, 'db' | 'wakeups'>) {
  const ctx = { db: deps.db, wakeups: deps.wakeups };
  const applyAll = async (feedback: (MailFeedback | undefined)[]) => {
    const result = { received: feedback.length, applied: 0, duplicates: 0, ignored: 0 };
    for (const item of feedback) {
      if (!item) result.ignored++;
      else if ((await applyFeedback(ctx, item, Date.now())) === 'applied') result.applied++;
      else result.duplicates++;
    }
    return result;
  };
  const answers = {
    200: {
      description: 'Applied',
      content: { 'application/json': { schema: FeedbackResult } },
    },
    ...errorResponses,
  };

  api.openapi(
    createRoute({
      method: 'post',
      path: '/webhooks/mail-feedback',
      tags: ['deliverability'],
      summary: 'Report bounces, complaints and deliveries (generic JSON)',
      description: `${description} Body: one event, or \`{events: [...]}\` with up to 500.`,
      security,
      middleware: [requireScope('deliverability:write')] as const,
      request: {
        body: { content: { 'application/json': { schema: GenericFeedbackBody } }, required: true },
      },
      responses: answers,
    }),
    async (c) => c.json(await applyAll(fromGeneric(c.req.valid('json'))), 200),
    (result, c) => {
      if (result.success) return undefined;
      if (result.target !== 'json') throw new ValidationError(zodIssues(result.error));
      return refuseAsItsShape(c, result.error);
    },
  );

  api.openapi(
    createRoute({
      method: 'post',
      path: '/webhooks/postmark',
      tags: ['deliverability'],
      summary: 'Postmark’s bounce, spam complaint and delivery webhooks',
      description:
        `${description} In Postmark, add the webhook with a custom header ` +
        '`X-API-Key: KEY`. Records of other kinds are answered 200 and ignored.',
      security,
      middleware: [requireScope('deliverability:write')] as const,
      request: {
        body: { content: { 'application/json': { schema: PostmarkBody } }, required: true },
      },
      responses: answers,
    }),
    async (c) => c.json(await applyAll([fromPostmark(c.req.valid('json'))]), 200),
  );
}
