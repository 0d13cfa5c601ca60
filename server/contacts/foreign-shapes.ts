// Create-or-update bodies as inwise (seed 000) and ip1 (seed 001) print them, read into the native body.
import { z } from '@hono/zod-openapi';
import { type FieldIssue, ValidationError } from '../errors.ts';
import { SettableStatusSchema } from './contact-resource.ts';
import { checkedKeys, checkFieldKeys } from './field-keys.ts';

export type ContactBodyShape = 'native' | 'inwise' | 'ip1';

const fieldValue = z.union([z.string().max(10_000), z.number(), z.boolean(), z.null()]);
const groupIds = z.array(z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)).max(50);

/** inwise's "create or update contact" body; `id: 0` (a new contact) is accepted and ignored. */
export const InwiseContactRequest = z
  .object({
    id: z
      .literal(0, 'only 0: contacts are found by email, mobile number or external id')
      .optional(),
    email: z.string().max(254).optional(),
    mobile_number: z.union([z.string().max(40), z.number()]).optional(),
    fields: z
      .array(
        z
          .object({ name: z.union([z.string().max(100), z.number()]), content: fieldValue })
          .strict(),
      )
      .max(500)
      .superRefine((fields, ctx) =>
        checkFieldKeys(
          fields.map((f, i) => ({ key: String(f.name), path: [i, 'name'] })),
          ctx,
        ),
      )
      .optional(),
    confirmation_status: SettableStatusSchema.optional(),
    add_to_groups_ids: groupIds.optional(),
    remove_from_groups_ids: groupIds.optional(),
    remove_from_all_other_groups: z.boolean().optional(),
    clear_existing_fields: z.boolean().optional(),
    external_id: z.string().max(200).optional(),
    trim_mobile_number_leading_zero: z.boolean().optional(),
    mobile_number_default_country_code: z.union([z.string().max(10), z.number()]).optional(),
    add_default_country_to_mobile_number_only_if_not_exists: z.boolean().optional().openapi({
      description: 'Accepted; Subflow never adds a country to a number that already has one',
    }),
  })
  .strict()
  .openapi('InwiseContactRequest', {
    description: 'inwise: `fields: [{name, content}]` → `fields`; group ids must exist',
  });

/** ip1's contact document: properties (the known ones become the contact's, the rest fields). */
export const Ip1ContactRequest = z
  .object({
    properties: checkedKeys(z.record(z.string().max(100), fieldValue)),
    labels: z.array(z.string().max(200)).max(10).optional().openapi({ description: '→ tags' }),
    metadata: z
      .record(z.string(), z.unknown())
      .optional()
      .openapi({ description: 'Ignored: Subflow works out phone metadata itself' }),
  })
  .strict()
  .openapi('Ip1ContactRequest', {
    description:
      'ip1: `properties.phoneNumber/email/firstName/lastName`, other properties → fields',
  });

/** Keys no native body has (`email` and `fields` are shared; `fields` is told apart by its items). */
const inwiseOnly = Object.keys(InwiseContactRequest.shape).filter(
  (key) => key !== 'email' && key !== 'fields',
);

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Which platform's body this is: by keys only that platform uses. */
export function shapeOf(raw: unknown): ContactBodyShape {
  if (!isRecord(raw)) return 'native';
  if ('properties' in raw || 'labels' in raw) return 'ip1';
  if (inwiseOnly.some((key) => key in raw)) return 'inwise';
  const first = Array.isArray(raw.fields) ? raw.fields[0] : undefined;
  return isRecord(first) && ('name' in first || 'content' in first) ? 'inwise' : 'native';
}

const text = (v: string | number | undefined) => (v === undefined ? undefined : String(v));

function fromInwise(body: z.infer<typeof InwiseContactRequest>): Record<string, unknown> {
  return {
    email: body.email,
    phone: text(body.mobile_number),
    externalId: body.external_id,
    fields: body.fields && Object.fromEntries(body.fields.map((f) => [String(f.name), f.content])),
    status: body.confirmation_status,
    groupIds: body.add_to_groups_ids,
    removeFromGroupIds: body.remove_from_groups_ids,
    removeFromAllOtherGroups: body.remove_from_all_other_groups,
    clearExistingFields: body.clear_existing_fields,
    defaultCountry: text(body.mobile_number_default_country_code),
    trimLeadingZero: body.trim_mobile_number_leading_zero,
  };
}

/** ip1 property names (trimmed: its own example writes `"lastName "`) that are contact keys. */
const ip1Keys: Record<string, string> = {
  phoneNumber: 'phone',
  email: 'email',
  firstName: 'firstName',
  lastName: 'lastName',
};

function fromIp1(body: z.infer<typeof Ip1ContactRequest>): Record<string, unknown> {
  const native: Record<string, unknown> = { tags: body.labels };
  const fields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body.properties)) {
    const key = ip1Keys[name.trim()];
    if (key) native[key] = typeof value === 'number' ? String(value) : value;
    else fields[name.trim()] = value;
  }
  if (Object.keys(fields).length > 0) native.fields = fields;
  return native;
}

/**
 * For `z.preprocess`: an inwise or ip1 body, checked against its own schema (issues name its own
 * keys), becomes the native body; anything else passes through unchanged.
 */
export function fromForeignShapes(raw: unknown, ctx: z.RefinementCtx): unknown {
  const shape = shapeOf(raw);
  if (shape === 'native') return raw;
  const parsed =
    shape === 'inwise' ? InwiseContactRequest.safeParse(raw) : Ip1ContactRequest.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      // Unknown keys one by one, at each key, as http/error-handler.ts names them in native bodies.
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : undefined;
      if (keys)
        for (const key of keys)
          ctx.addIssue({ code: 'custom', path: [...issue.path, key], message: 'unknown key' });
      else ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    }
    return z.NEVER;
  }
  const native =
    shape === 'inwise'
      ? fromInwise(parsed.data as z.infer<typeof InwiseContactRequest>)
      : fromIp1(parsed.data as z.infer<typeof Ip1ContactRequest>);
  return Object.fromEntries(Object.entries(native).filter(([, v]) => v !== undefined));
}

const inwiseNames: Record<string, string> = {
  phone: 'mobile_number',
  externalId: 'external_id',
  status: 'confirmation_status',
  groupIds: 'add_to_groups_ids',
  removeFromGroupIds: 'remove_from_groups_ids',
  removeFromGroups: 'remove_from_groups_ids',
  removeFromAllOtherGroups: 'remove_from_all_other_groups',
  clearExistingFields: 'clear_existing_fields',
  defaultCountry: 'mobile_number_default_country_code',
  trimLeadingZero: 'trim_mobile_number_leading_zero',
};

/** A native field name (`phone`, `fields.plan`, `groupIds.0`) as the caller's body names it. */
function foreignName(raw: unknown, shape: ContactBodyShape, field: string): string {
  const [head = field, ...rest] = field.split('.');
  const tail = rest.join('.');
  if (shape === 'inwise') {
    if (head === 'fields' && tail && isRecord(raw) && Array.isArray(raw.fields)) {
      const index = raw.fields.findIndex((f) => isRecord(f) && String(f.name) === tail);
      return index >= 0 ? `fields.${index}.content` : field;
    }
    const name = inwiseNames[head];
    return name ? [name, ...rest].join('.') : field;
  }
  if (head === 'tags') return ['labels', ...rest].join('.');
  if (head === 'fields') return tail ? `properties.${tail}` : 'properties';
  const property = Object.entries(ip1Keys).find(([, key]) => key === head)?.[0];
  return property ? ['properties', property, ...rest].join('.') : field;
}

/**
 * The same error with its fields named as the caller's body names them (an inwise body hears about
 * `mobile_number`, not `phone`); other errors and native bodies pass through.
 */
export function inCallersTerms(error: unknown, raw: unknown): unknown {
  const shape = shapeOf(raw);
  if (shape === 'native' || !(error instanceof ValidationError)) return error;
  const issues: FieldIssue[] = error.issues.map((i) => ({
    field: foreignName(raw, shape, i.field),
    message: i.message,
  }));
  return new ValidationError(issues);
}
