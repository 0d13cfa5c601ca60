// The contact a request names, in Subflow's own shape or eSputnik's, read into one normalized input.
import { z } from '@hono/zod-openapi';
import { type FieldIssue, ValidationError } from '../errors.ts';
import { emailSchema, lineSchema } from '../subscribe/input-fields.ts';
import { checkedFields, MAX_FIELDS } from './field-keys.ts';
import {
  isPhoneCountry,
  type NormalizedPhone,
  normalizePhone,
  type PhoneOptions,
} from './phone.ts';
import type { Address } from './store/contact-rows.ts';
import type { ContactInput } from './upsert-contact.ts';

export const addressSchema = z
  .object({
    town: lineSchema(),
    region: lineSchema(),
    address: lineSchema(500),
    postcode: lineSchema(40),
  })
  .partial()
  .strict()
  .openapi('Address');

const fieldValue = z.union([z.string().max(10_000), z.number(), z.boolean(), z.null()]);
const fieldKey = z.string().trim().min(1).max(100);

/** A contact as every contact-taking endpoint accepts it: the native keys and eSputnik's. */
export const contactInputShape = {
  email: z.string().max(254).nullable().optional().openapi({ example: 'ann@example.com' }),
  phone: z.string().max(40).nullable().optional().openapi({
    description: '`+…`, `00…`, international digits without `+`, or national with `defaultCountry`',
    example: '+380942583691',
  }),
  externalId: lineSchema(200).nullable().optional(),
  firstName: lineSchema().nullable().optional(),
  lastName: lineSchema().nullable().optional(),
  address: addressSchema.nullable().optional(),
  fields: checkedFields(
    z
      .union([
        z.record(fieldKey, fieldValue),
        z.array(z.object({ id: z.union([fieldKey, z.number()]), value: fieldValue }).strict()),
      ])
      .nullable(),
  )
    .optional()
    .openapi({
      description:
        `\`{key: value}\`, or eSputnik \`[{id, value}]\`; \`null\` clears a value. At most ` +
        `${MAX_FIELDS} keys; \`__proto__\`, \`constructor\`, \`prototype\` and keys that are ` +
        'another key once trimmed are refused',
    }),
  channels: z
    .array(z.object({ type: z.enum(['email', 'sms']), value: z.string().max(254) }).strict())
    .max(10)
    .optional()
    .openapi({ description: 'eSputnik: `email` → email, `sms` → phone' }),
  externalCustomerId: lineSchema(200).optional().openapi({ description: 'eSputnik: externalId' }),
};

export const phoneOptionsShape = {
  defaultCountry: z
    .string()
    .trim()
    .refine(isPhoneCountry, 'must be an ISO country code like IL or a calling code like 972')
    .optional()
    .openapi({ description: 'How to read numbers without `+`: `IL` or `972`' }),
  trimLeadingZero: z
    .boolean()
    .optional()
    .openapi({ description: "Drop a number's leading zeros before the default country code" }),
};

const contactInputObject = z.object(contactInputShape);
type RawContact = z.infer<typeof contactInputObject>;

/** A contact input read: `undefined` = not given, `null` = clear it. */
export interface ReadContact {
  email?: string | null;
  phone?: NormalizedPhone | null;
  externalId?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  address?: Address | null;
  fields?: Record<string, unknown> | null;
}

/** The channel of a type, when the contact names one (at most one of each type). */
function fromChannel(
  raw: RawContact,
  type: 'email' | 'sms',
  issues: FieldIssue[],
  prefix: string,
): { field: string; value: string } | undefined {
  let index: number | undefined;
  let count = 0;
  raw.channels?.forEach((ch, i) => {
    if (ch.type !== type) return;
    count++;
    index ??= i;
  });
  if (count > 1)
    issues.push({ field: `${prefix}channels`, message: `more than one ${type} channel` });
  return index === undefined
    ? undefined
    : { field: `channels.${index}.value`, value: raw.channels?.[index]?.value as string };
}

/** An email or phone as given: by its key or by a channel, not both. */
function pick(
  raw: RawContact,
  key: 'email' | 'phone',
  type: 'email' | 'sms',
  issues: FieldIssue[],
  prefix: string,
): { field: string; value: string | null } | undefined {
  const channel = raw.channels ? fromChannel(raw, type, issues, prefix) : undefined;
  if (channel && raw[key] !== undefined)
    issues.push({ field: prefix + key, message: `give ${key} or an ${type} channel, not both` });
  return channel ?? (raw[key] === undefined ? undefined : { field: key, value: raw[key] });
}

/**
 * Reads a parsed body into one normalized contact, naming each wrong field as the caller wrote it
 * (`channels.1.value`, `phone`), prefixed with `prefix` (`contact.`) when the contact is nested.
 * @example readContact({ channels: [{ type: 'sms', value: '380942583691' }] }, {})
 */
export function readContact(raw: RawContact, options: PhoneOptions, prefix = ''): ReadContact {
  // Module-level helpers, not closures: this runs for every row of an import, and each closure
  // made here cost a defineProperty (the loader keeps function names).
  const issues: FieldIssue[] = [];
  const out: ReadContact = {};

  const email = pick(raw, 'email', 'email', issues, prefix);
  if (email) {
    const parsed = email.value === null ? null : emailSchema.safeParse(email.value);
    if (parsed && !parsed.success)
      issues.push({
        field: prefix + email.field,
        message: parsed.error.issues[0]?.message ?? 'invalid',
      });
    else out.email = parsed ? parsed.data : null;
  }
  const phone = pick(raw, 'phone', 'sms', issues, prefix);
  if (phone) {
    const parsed = phone.value === null ? null : normalizePhone(phone.value, options);
    if (parsed === undefined)
      issues.push({
        field: prefix + phone.field,
        message: options.defaultCountry
          ? `is not a possible phone number (default country ${options.defaultCountry})`
          : 'is not a possible phone number; use international format like +44 20 7946 0958',
      });
    else out.phone = parsed;
  }
  if (raw.externalCustomerId !== undefined && raw.externalId !== undefined)
    issues.push({
      field: `${prefix}externalId`,
      message: 'give externalId or externalCustomerId, not both',
    });
  const externalId = raw.externalCustomerId ?? raw.externalId;
  if (externalId !== undefined) out.externalId = externalId === '' ? null : externalId;
  if (raw.firstName !== undefined) out.firstName = raw.firstName;
  if (raw.lastName !== undefined) out.lastName = raw.lastName;
  if (raw.address !== undefined) out.address = raw.address;
  if (raw.fields !== undefined)
    out.fields = Array.isArray(raw.fields)
      ? Object.fromEntries(raw.fields.map((f) => [String(f.id), f.value]))
      : raw.fields;
  if (issues.length > 0) throw new ValidationError(issues);
  return out;
}

/**
 * A read contact as the upsert takes it: `null` counts as not given there (a save or a subscribe
 * never clears what it finds the contact by), except inside `fields`, where it clears a value.
 */
export function upsertInputOf(contact: ReadContact): ContactInput {
  const given = <T>(value: T | null | undefined) => (value === null ? undefined : value);
  return {
    email: given(contact.email),
    phone: given(contact.phone),
    externalId: given(contact.externalId),
    firstName: given(contact.firstName),
    lastName: given(contact.lastName),
    address: given(contact.address),
    fields: given(contact.fields),
  };
}
