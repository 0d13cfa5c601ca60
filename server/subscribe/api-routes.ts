// POST /api/v1/contact/subscribe: the eSputnik-shaped authenticated subscribe.
import { createRoute, z } from '@hono/zod-openapi';
import type { AppDeps } from '../app-deps.ts';
import { requireScope } from '../auth/require-api-key.ts';
import { ValidationError } from '../errors.ts';
import { findForm } from '../forms/forms-store.ts';
import { type ApiApp, errorResponses, security } from '../http/api-app.ts';
import { clientIp } from '../http/client-ip.ts';
import { emailSchema, lineSchema, phoneSchema } from './input-fields.ts';
import { subscribeContact } from './subscribe-contact.ts';

const addressSchema = z
  .object({
    town: lineSchema(),
    region: lineSchema(),
    address: lineSchema(500),
    postcode: lineSchema(40),
  })
  .partial()
  .strict();

const fieldValue = z.union([z.string().max(10_000), z.number(), z.boolean(), z.null()]);

export const apiSubscribeSchema = z
  .object({
    contact: z
      .object({
        channels: z
          .array(z.object({ type: z.enum(['email', 'sms']), value: z.string().max(254) }).strict())
          .min(1, 'send at least one channel (email or sms)')
          .max(10),
        firstName: lineSchema().optional(),
        lastName: lineSchema().optional(),
        address: addressSchema.optional(),
        fields: z
          .array(
            z
              .object({ id: z.union([z.string().min(1).max(100), z.number()]), value: fieldValue })
              .strict(),
          )
          .max(100)
          .optional(),
      })
      .strict(),
    groups: z.array(z.string().trim().min(1).max(200)).max(50).optional(),
    formType: lineSchema(100).pipe(z.string().min(1)).optional(),
  })
  .strict()
  .openapi('SubscribeContactRequest');

type ApiSubscribeBody = z.infer<typeof apiSubscribeSchema>;

/** Picks the one email and one phone out of `channels`, naming the channel that is wrong. */
function channelsOf(body: ApiSubscribeBody, defaultCountry: string | null) {
  const issues: { field: string; message: string }[] = [];
  const pick = <T>(type: 'email' | 'sms', schema: z.ZodType<T>): T | undefined => {
    const index = body.contact.channels.findIndex((ch) => ch.type === type);
    if (index === -1) return undefined;
    if (body.contact.channels.findIndex((ch, i) => ch.type === type && i > index) !== -1) {
      issues.push({ field: 'contact.channels', message: `more than one ${type} channel` });
    }
    const parsed = schema.safeParse(body.contact.channels[index]?.value);
    if (parsed.success) return parsed.data;
    issues.push({
      field: `contact.channels.${index}.value`,
      message: parsed.error.issues[0]?.message ?? 'invalid',
    });
    return undefined;
  };
  const email = pick('email', emailSchema);
  const phone = pick('sms', phoneSchema(defaultCountry));
  if (issues.length) throw new ValidationError(issues);
  return { email, phone };
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
        422: {
          description:
            'Invalid input (`error.issues` names each field), or the email and the phone belong to ' +
            'two contacts, or the phone to a contact with another email (`error.contactIds`)',
        },
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const formType = body.formType ?? null;
      const form = formType ? await findForm(db, formType) : undefined;
      const { email, phone } = channelsOf(body, form?.defaultCountry ?? null);
      const result = await subscribeContact(
        {
          db,
          wakeups: deps.wakeups,
          logger: c.get('logger'),
          publicUrl: config.PUBLIC_URL,
          timings: config.timings,
        },
        {
          email,
          phone,
          firstName: body.contact.firstName,
          lastName: body.contact.lastName,
          address: body.contact.address,
          fields: Object.fromEntries(
            (body.contact.fields ?? []).map((f) => [String(f.id), f.value]),
          ),
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
