// The body of POST /api/v1/events: an event type, exactly one identity of the contact, and params.
import { z } from '@hono/zod-openapi';
import { phoneOptionsShape } from '../contacts/contact-input.ts';
import { normalizePhone } from '../contacts/phone.ts';
import { ValidationError } from '../errors.ts';
import { emailSchema, lineSchema } from '../subscribe/input-fields.ts';
import type { ContactIdentity } from './record-contact-event.ts';

const MAX_PARAMS = 50;
const MAX_PARAMS_BYTES = 16 * 1024;
const identityKeys = ['contactId', 'email', 'phone', 'externalId'] as const;
const oneOf = 'contactId, email, phone or externalId';

/**
 * The events Subflow appends when the contact itself acts, each also with `-<formType>`. A CRM
 * sending one would say the contact did so: it would start workflows meant for confirmed
 * subscribers, or trip a run's `cancel_on`. Refused as prefixes, as workflows match them with globs.
 */
const SYSTEM_EVENTS = [
  'subscribeFromApi',
  'subscribeUpdateFromApi',
  'emailConfirmed',
  'unsubscribed',
];
const SYSTEM_EVENTS_TEXT = SYSTEM_EVENTS.map((name) => `\`${name}…\``).join(', ');

const eventType = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,100}$/, {
    message: 'must be 1 to 100 characters of A-Z, a-z, 0-9, _ . : -',
    abort: true,
  })
  .refine(
    (type) => !SYSTEM_EVENTS.some((name) => type.startsWith(name)),
    `must not be one of Subflow's own events (${SYSTEM_EVENTS_TEXT}): those say the contact acted`,
  )
  .openapi({
    description: `What workflows listen to in \`on:\`. Not one of Subflow's own: ${SYSTEM_EVENTS_TEXT}`,
    example: 'orderPaid',
  });

const eventParams = z
  .record(z.string().min(1).max(100), z.union([z.string(), z.number(), z.boolean(), z.null()]))
  .refine((p) => Object.keys(p).length <= MAX_PARAMS, `must have at most ${MAX_PARAMS} keys`)
  .refine(
    (p) => Buffer.byteLength(JSON.stringify(p)) <= MAX_PARAMS_BYTES,
    `must be at most ${MAX_PARAMS_BYTES / 1024} KiB as JSON`,
  )
  .openapi({
    description:
      `Scalar values, at most ${MAX_PARAMS} keys and 16 KiB as JSON. \`ContactId\` and ` +
      '`EmailAddress` are always set from the contact (given values for them are ignored).',
    example: { orderId: 'A-17', total: 99.5 },
  });

export const PostEventRequest = z
  .object({
    type: eventType,
    contactId: z.number().int().positive().optional().openapi({ example: 42 }),
    email: emailSchema.optional().openapi({ example: 'ann@example.com' }),
    phone: z.string().trim().min(1).max(40).optional().openapi({
      description:
        '`+…`, `00…`, international digits without `+`, or national with `defaultCountry`',
      example: '+380942583691',
    }),
    externalId: lineSchema(200).pipe(z.string().min(1)).optional(),
    params: eventParams.optional(),
    ...phoneOptionsShape,
  })
  .strict()
  .superRefine((body, ctx) => {
    const given = identityKeys.filter((key) => body[key] !== undefined);
    if (given.length === 0)
      ctx.addIssue({ code: 'custom', path: [], message: `give one of ${oneOf}` });
    if (given.length > 1)
      for (const key of given)
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `give only one of ${oneOf} (got ${given.join(', ')})`,
        });
  })
  .openapi('PostEventRequest', {
    description: 'Name the contact by exactly one of `contactId`, `email`, `phone`, `externalId`',
  });

type PostEventBody = z.infer<typeof PostEventRequest>;

/** The one identity of a parsed body; a phone that cannot be a possible number is a 422. */
export function identityOf(body: PostEventBody): ContactIdentity {
  if (body.contactId !== undefined) return { contactId: body.contactId };
  if (body.email !== undefined) return { email: body.email };
  if (body.externalId !== undefined) return { externalId: body.externalId };
  const phone = normalizePhone(body.phone as string, {
    defaultCountry: body.defaultCountry,
    trimLeadingZero: body.trimLeadingZero,
  });
  if (!phone)
    throw new ValidationError([
      {
        field: 'phone',
        message: 'is not a possible phone number; use a format like +44 20 7946 0958',
      },
    ]);
  return { phone: phone.e164 };
}
