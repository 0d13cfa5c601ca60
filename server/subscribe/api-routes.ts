// POST /api/v1/contact/subscribe: the eSputnik-shaped authenticated subscribe.
import { createRoute, z } from '@hono/zod-openapi';
import type { AppDeps } from '../app-deps.ts';
import { requireScope } from '../auth/require-api-key.ts';
import {
  contactInputShape,
  phoneOptionsShape,
  readContact,
  upsertInputOf,
} from '../contacts/contact-input.ts';
import { ValidationError } from '../errors.ts';
import { findForm } from '../forms/forms-store.ts';
import { type ApiApp, errorResponse, errorResponses, security } from '../http/api-app.ts';
import { clientIp } from '../http/client-ip.ts';
import { lineSchema } from './input-fields.ts';
import { subscribeContact } from './subscribe-contact.ts';

export const apiSubscribeSchema = z
  .object({
    contact: z.object(contactInputShape).strict(),
    groups: z.array(z.string().trim().min(1).max(200)).max(50).optional(),
    formType: lineSchema(100).pipe(z.string().min(1)).optional(),
    ...phoneOptionsShape,
  })
  .strict()
  .openapi('SubscribeContactRequest');

type ApiSubscribeBody = z.infer<typeof apiSubscribeSchema>;

/** The contact of the body; a subscribe needs an email or a phone and clears nothing. */
function contactOf(body: ApiSubscribeBody, defaultCountry: string | null) {
  const contact = readContact(
    body.contact,
    {
      defaultCountry: body.defaultCountry ?? defaultCountry,
      trimLeadingZero: body.trimLeadingZero,
    },
    'contact.',
  );
  if (!contact.email && !contact.phone)
    throw new ValidationError([
      { field: 'contact', message: 'send an email or a phone (native keys or channels)' },
    ]);
  return upsertInputOf(contact);
}

export function registerApiSubscribeRoute(api: ApiApp, deps: AppDeps): void {
  const { db, config } = deps;
  api.openapi(
    createRoute({
      method: 'post',
      path: '/contact/subscribe',
      tags: ['contacts'],
      summary: 'Subscribe a contact (unconfirmed, double opt-in, subscribe events)',
      security,
      middleware: [requireScope('contacts:write')] as const,
      request: {
        body: { content: { 'application/json': { schema: apiSubscribeSchema } }, required: true },
      },
      responses: {
        200: {
          description: 'The contact id (new or existing)',
          content: { 'application/json': { schema: z.object({ id: z.number() }) } },
        },
        ...errorResponses,
        422: errorResponse(
          'Invalid input (`error.issues` names each field), or the email and the phone belong to ' +
            'two contacts, or the phone to a contact with another email (`error.contactIds`)',
        ),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const formType = body.formType ?? null;
      const form = formType ? await findForm(db, formType) : undefined;
      const contact = contactOf(body, form?.defaultCountry ?? null);
      const result = await subscribeContact(
        {
          db,
          wakeups: deps.wakeups,
          logger: c.get('logger'),
          publicUrl: config.PUBLIC_URL,
          timings: config.timings,
        },
        {
          ...contact,
          groups: body.groups ?? [],
          formType,
          form,
          source: `api:${c.get('principal').name}`,
          consent: {
            ip: clientIp(c, config.TRUST_PROXY),
            userAgent: c.req.header('user-agent') ?? null,
          },
          mode: 'overwrite',
        },
      );
      return c.json({ id: result.contactId }, 200);
    },
  );
}
