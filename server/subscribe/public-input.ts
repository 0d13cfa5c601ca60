// Parses a public subscribe body (JSON or form-urlencoded) against the form's own fields.
import { z } from 'zod';
import { SOLUTION } from '../bot-defence/proof-of-work.ts';
import { ValidationError } from '../errors.ts';
import type { Form, FormField } from '../forms/form-schema.ts';
import { zodIssues } from '../http/error-handler.ts';
import { emailSchema, lineSchema, phoneSchema } from './input-fields.ts';

const checkbox = z.preprocess(
  (v) => (typeof v === 'string' ? ['on', 'true', '1', 'yes'].includes(v.toLowerCase()) : v),
  z.boolean(),
);

function customFieldSchema(field: FormField): z.ZodType {
  switch (field.type) {
    case 'checkbox':
      return checkbox;
    case 'number':
      return z.coerce.number().finite();
    case 'textarea':
      return z.string().trim().max(field.maxLength);
    default:
      return lineSchema(field.maxLength);
  }
}

const blankToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v);

function bodySchema(form: Form) {
  const shape: Record<string, z.ZodType> = {
    consent: checkbox.optional(),
    _hp: z.string().max(1000).optional(),
    _elapsed: z.coerce.number().optional(),
    // The bot defence's proofs (bot-defence/): names no form field can take.
    _challenge: z.preprocess(blankToUndefined, z.string().max(300).optional()),
    _solution: z.preprocess(
      blankToUndefined,
      z.coerce.string().regex(SOLUTION, 'expected the nonce in decimal digits').optional(),
    ),
    'cf-turnstile-response': z.preprocess(blankToUndefined, z.string().max(2048).optional()),
  };
  for (const field of form.fields) {
    const base =
      field.name === 'email'
        ? emailSchema
        : field.name === 'phone'
          ? phoneSchema(form.defaultCountry)
          : field.name === 'firstName' || field.name === 'lastName'
            ? lineSchema(field.maxLength)
            : customFieldSchema(field);
    shape[field.name] = z.preprocess(blankToUndefined, field.required ? base : base.optional());
  }
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown field(s) ${issue.keys.join(', ')}; this form accepts ${form.fields.map((f) => f.name).join(', ')}`
        : undefined,
  });
}

/**
 * Building a zod schema is far dearer than using one (zod compiles a fast path per schema), so
 * each form's schema is built once per version of the form.
 */
const schemaCache = new Map<string, { updatedAt: string; schema: ReturnType<typeof bodySchema> }>();

function cachedBodySchema(form: Form) {
  const hit = schemaCache.get(form.id);
  if (hit && hit.updatedAt === form.updatedAt) return hit.schema;
  const schema = bodySchema(form);
  schemaCache.set(form.id, { updatedAt: form.updatedAt, schema });
  return schema;
}

export interface PublicSubscribeBody {
  email?: string;
  phone?: import('../contacts/phone.ts').NormalizedPhone;
  firstName?: string;
  lastName?: string;
  fields: Record<string, unknown>;
  /** Bot signals: a filled honeypot or a submit faster than a person fills a form. */
  honeypot: string | undefined;
  elapsedMs: number | undefined;
  /** Proofs for the bot defence: the widget's proof of work, a Turnstile token. */
  challenge: string | undefined;
  solution: string | undefined;
  turnstileToken: string | undefined;
}

/** @throws ValidationError naming each bad field */
export function parsePublicSubscribeBody(form: Form, raw: unknown): PublicSubscribeBody {
  const parsed = cachedBodySchema(form).safeParse(raw);
  if (!parsed.success) throw new ValidationError(zodIssues(parsed.error));
  const {
    email,
    phone,
    firstName,
    lastName,
    consent,
    _hp,
    _elapsed,
    _challenge,
    _solution,
    'cf-turnstile-response': turnstileToken,
    ...fields
  } = parsed.data as Record<string, never>;
  if (!email && !phone) {
    throw new ValidationError([
      {
        field: form.fields.some((f) => f.name === 'email') ? 'email' : 'phone',
        message: 'is required',
      },
    ]);
  }
  if (form.requireConsent && consent !== true) {
    throw new ValidationError([{ field: 'consent', message: 'must be checked to subscribe' }]);
  }
  return {
    email,
    phone,
    firstName,
    lastName,
    fields,
    honeypot: _hp,
    elapsedMs: _elapsed,
    challenge: _challenge,
    solution: _solution,
    turnstileToken,
  };
}

/**
 * The public body names a custom field as the form does (`plan`), where the contact store names it
 * `fields.plan`: issues are given the form's names, so the widget marks the right input.
 */
export function asFormFieldError(err: unknown): unknown {
  if (!(err instanceof ValidationError)) return err;
  return new ValidationError(
    err.issues.map((i) => ({ ...i, field: i.field.replace(/^fields\./, '') })),
  );
}
