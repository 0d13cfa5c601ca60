// The Contact resource: one zod schema that validates, documents (OpenAPI) and types the contact JSON.
import { z } from '@hono/zod-openapi';

export const PhoneMetaResource = z
  .object({
    isPossible: z.boolean(),
    isValid: z.boolean(),
    type: z.string().nullable().openapi({ example: 'MOBILE' }),
    country: z.string().nullable().openapi({ example: 'UA' }),
    msisdn: z.string().openapi({ example: '380942583691' }),
    isBlocked: z.boolean(),
  })
  .openapi('PhoneMeta');

const statuses = ['unconfirmed', 'confirmed', 'unsubscribed', 'bounced', 'deleted'] as const;
export const ContactStatusSchema = z.enum(statuses).openapi('ContactStatus');
/** What a write may set: `deleted` only comes from DELETE. */
export const SettableStatusSchema = ContactStatusSchema.exclude(['deleted']).openapi({
  description: '`deleted` is set by DELETE only',
});

const time = z.string().openapi({ format: 'date-time', example: '2026-12-03T10:00:00.000Z' });

export const ContactResource = z
  .object({
    id: z.number().int().openapi({ example: 42 }),
    email: z.string().nullable().openapi({ example: 'ann@example.com' }),
    phone: z.string().nullable().openapi({ description: 'E.164', example: '+380942583691' }),
    phoneMeta: PhoneMetaResource.nullable(),
    externalId: z.string().nullable(),
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    address: z
      .object({
        town: z.string(),
        region: z.string(),
        address: z.string(),
        postcode: z.string(),
      })
      .partial()
      .nullable(),
    fields: z.record(z.string(), z.unknown()).openapi({ example: { plan: 'pro' } }),
    status: ContactStatusSchema,
    source: z.string().openapi({ example: 'api:crm' }),
    groups: z.array(z.string()).openapi({ description: 'Names of confirmed memberships' }),
    pendingGroups: z.array(z.string()).openapi({
      description: "Groups joined on a form whose confirmation link hasn't been used yet",
    }),
    tags: z.array(z.string()),
    emailConfirmedAt: time.nullable(),
    unsubscribedAt: time.nullable(),
    createdAt: time,
    updatedAt: time,
    deletedAt: time.nullable(),
  })
  .openapi('Contact');

export type ContactView = z.infer<typeof ContactResource>;
