// The FieldDefinition resource and the bodies that define or change one (zod: validates and documents).
import { z } from '@hono/zod-openapi';
import { FIELD_KEY } from '../../db/dialect.ts';

const types = ['text', 'number', 'date', 'boolean', 'enum'] as const;
export const FieldTypeSchema = z.enum(types).openapi('FieldType', {
  description: 'date: ISO 8601 (`2026-12-31` or a date-time with a zone); enum: one of `options`',
});

export const FieldKeySchema = z
  .string()
  .regex(FIELD_KEY, 'letters, digits, _ and - only, 1 to 64 characters')
  .openapi({ example: 'plan' });

const labelSchema = z.string().trim().min(1).max(200).openapi({ example: 'Plan' });

const optionsSchema = z
  .array(z.string().trim().min(1).max(200))
  .min(1)
  .max(100)
  .refine((v) => new Set(v).size === v.length, 'must not repeat a value')
  .openapi({ description: 'The allowed values of an enum field, 1–100', example: ['free', 'pro'] });

const time = z.string().openapi({ format: 'date-time', example: '2026-12-03T10:00:00.000Z' });

export const FieldDefinitionResource = z
  .object({
    key: z.string().openapi({ example: 'plan' }),
    type: FieldTypeSchema,
    label: z.string().nullable(),
    options: z.array(z.string()).nullable(),
    createdAt: time,
    updatedAt: time,
  })
  .openapi('FieldDefinition');

export type FieldDefinitionView = z.infer<typeof FieldDefinitionResource>;

export const DefineFieldRequest = z
  .object({
    key: FieldKeySchema,
    type: FieldTypeSchema,
    label: labelSchema.nullable().optional(),
    options: optionsSchema.optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.type === 'enum' && !v.options)
      ctx.addIssue({ code: 'custom', path: ['options'], message: 'an enum field needs options' });
    if (v.type !== 'enum' && v.options)
      ctx.addIssue({ code: 'custom', path: ['options'], message: 'only enum fields have options' });
  })
  .openapi('DefineFieldRequest', {
    example: { key: 'plan', type: 'enum', options: ['free', 'pro'] },
  });

export type DefineFieldInput = z.infer<typeof DefineFieldRequest>;

/** Whether `options` fits the type is checked against the stored definition (the verb does). */
export const ChangeFieldRequest = z
  .object({
    type: FieldTypeSchema.optional(),
    label: labelSchema.nullable().optional().openapi({ description: '`null` clears it' }),
    options: optionsSchema.optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'send type, label or options')
  .openapi('ChangeFieldRequest');

export type ChangeFieldInput = z.infer<typeof ChangeFieldRequest>;
