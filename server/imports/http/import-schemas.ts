// Request and response schemas of the imports API: one zod schema validates and documents each.
import { z } from '@hono/zod-openapi';
import { phoneOptionsShape } from '../../contacts/contact-input.ts';
import { SettableStatusSchema } from '../../contacts/contact-resource.ts';
import { idPathParams } from '../../http/api-app.ts';
import { isCsvTarget } from '../sources/csv-mapping.ts';

const labelName = z.string().trim().min(1).max(200);
const groupNames = z.array(labelName).max(50);

/** eSputnik: "Latin symbols and figures with no spaces"; it is the event's type. */
const eventKey = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,100}$/, 'must be 1–100 Latin letters, digits, `_`, `.` or `-`')
  .openapi({
    description: 'An event of this type for each contact the import creates',
    example: 'newContact',
  });

/** Bulk requests answered in the request itself at most this long. */
export const SYNC_MAX_CONTACTS = 1000;

export const BulkContactsRequest = z
  .object({
    contacts: z
      .array(
        z.record(z.string(), z.unknown()).openapi({
          type: 'object',
          description: 'A contact, as SaveContactRequest (either shape)',
        }),
      )
      .min(1)
      .max(3000)
      .openapi({
        description:
          'Each in the native or the eSputnik shape (see SaveContactRequest); a contact that is ' +
          'not valid fails alone and is listed in `failedContacts`',
      }),
    dedupeOn: z.enum(['email', 'sms', 'externalCustomerId']).default('email').openapi({
      description: 'How a contact is found when it has no externalCustomerId (which comes first)',
    }),
    groupNames: groupNames
      .optional()
      .openapi({ description: 'Groups to add every contact to (created when unknown)' }),
    groupNamesExclude: groupNames
      .optional()
      .openapi({ description: 'Groups to take every contact out of' }),
    restoreDeleted: z.boolean().default(false).openapi({
      description: 'false: a deleted contact stays deleted and its row fails; true: it is restored',
    }),
    eventKeyForNewContacts: eventKey.optional(),
    customFieldsIDs: z
      .array(z.union([z.number(), z.string().max(100)]))
      .max(1000)
      .optional()
      .openapi({ description: 'eSputnik: accepted and ignored (every field given is written)' }),
    ...phoneOptionsShape,
  })
  .strict()
  .openapi('BulkContactsRequest');

export const SyncQuery = z.object({
  sync: z
    .enum(['true', 'false'])
    .optional()
    .openapi({
      description: `Bulk only: \`true\` imports in the request (at most ${SYNC_MAX_CONTACTS} contacts) and answers the finished import`,
    }),
});

const mapping = z
  .record(
    z
      .string()
      .refine(
        isCsvTarget,
        'must be email, phone, externalId, firstName, lastName, address.<part> or fields.<key>',
      ),
    z.string().min(1).max(200),
  )
  .openapi({
    description: 'Contact field → CSV column; absent: columns are matched by header name',
    example: { email: 'Email', phone: 'Mobile', firstName: 'Firstname', 'fields.plan': 'Plan' },
  });

/** Options of every CSV import (JSON, multipart, a file URL and the CLI). */
export const csvOptionsShape = {
  mapping: mapping.optional(),
  groups: groupNames.optional().openapi({ description: 'Groups to add every contact to' }),
  groupIds: z
    .array(z.number().int().min(1).max(Number.MAX_SAFE_INTEGER))
    .max(50)
    .optional()
    .openapi({ description: 'Existing groups (by id) to add every contact to' }),
  groupsExclude: groupNames
    .optional()
    .openapi({ description: 'Groups to take every contact out of' }),
  updateExisting: z
    .boolean()
    .default(true)
    .openapi({ description: 'false: existing contacts are left as they are (counted as skipped)' }),
  restoreDeleted: z.boolean().default(false),
  status: SettableStatusSchema.optional().openapi({
    description:
      'New contacts are `confirmed` unless given; given, existing ones are set to it too',
  }),
  eventKeyForNewContacts: eventKey.optional(),
  ...phoneOptionsShape,
};

export const CsvImportOptions = z.object(csvOptionsShape).strict().openapi('CsvImportOptions');
export type CsvImportOptionsInput = z.infer<typeof CsvImportOptions>;

export const CsvJsonRequest = z
  .object({
    csv: z.string().min(1).openapi({ description: 'The CSV text, header line first' }),
    ...csvOptionsShape,
  })
  .strict()
  .openapi('CsvImportRequest');

/** inwise's `POST /contacts/batchInsert` body (seed 000), read into CsvImportRequest. */
export const InwiseBatchInsertRequest = z
  .object({
    csv_file: z.string().min(1),
    fields_mapping: z
      .array(
        z
          .object({
            field_name: z.string().min(1).max(110),
            file_column_name: z.string().min(1).max(200),
          })
          .strict(),
      )
      .max(500)
      .optional(),
    group_id: z
      .union([z.string().regex(/^\d{1,15}$/, 'must be a group id'), z.number().int().min(1)])
      .optional(),
    updateExistingContacts: z.boolean().optional(),
    country_code: z.union([z.string().max(10), z.number()]).optional(),
    trim_leading_zero: z.boolean().optional(),
  })
  .strict()
  .openapi('InwiseBatchInsertRequest', {
    description:
      'inwise: `csv_file` → csv, `fields_mapping` → mapping (`[Email]` → email, `[MobileNumber]` → ' +
      'phone, any other name → fields.<name>), `group_id` → groupIds, `updateExistingContacts`, ' +
      '`country_code` → defaultCountry, `trim_leading_zero` → trimLeadingZero',
  });

/** inwise's field names in `fields_mapping` → Subflow's mapping targets. */
const inwiseTargets: Record<string, string> = { '[email]': 'email', '[mobilenumber]': 'phone' };

/** An inwise batchInsert body as the native CSV body. */
export function fromInwiseBatch(body: z.infer<typeof InwiseBatchInsertRequest>) {
  const mapping =
    body.fields_mapping &&
    Object.fromEntries(
      body.fields_mapping.map((m) => [
        inwiseTargets[m.field_name.toLowerCase()] ??
          `fields.${m.field_name.replace(/^\[(.*)\]$/, '$1')}`,
        m.file_column_name,
      ]),
    );
  return {
    csv: body.csv_file,
    mapping,
    groupIds: body.group_id === undefined ? undefined : [Number(body.group_id)],
    updateExisting: body.updateExistingContacts,
    defaultCountry: body.country_code === undefined ? undefined : String(body.country_code),
    trimLeadingZero: body.trim_leading_zero,
  };
}

/** What POST /imports takes as JSON: the native body, or inwise's batchInsert read into it. */
export const csvJsonBody = z.preprocess((raw, ctx) => {
  if (typeof raw !== 'object' || raw === null || !('csv_file' in raw)) return raw;
  const parsed = InwiseBatchInsertRequest.safeParse(raw);
  if (parsed.success) return fromInwiseBatch(parsed.data);
  for (const issue of parsed.error.issues)
    ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  return z.NEVER;
}, CsvJsonRequest);

export const CsvMultipartRequest = z
  .object({
    file: z
      .custom<File>((v) => v instanceof File, 'must be a file')
      .openapi({ type: 'string', format: 'binary', description: 'The CSV file, UTF-8' }),
    options: z
      .string()
      .optional()
      .openapi({ description: 'CsvImportOptions as JSON', example: '{"groups":["Customers"]}' }),
  })
  .openapi('CsvImportUpload');

export const UploadRequest = z
  .object({
    link: z.url({ protocol: /^https?$/ }).openapi({
      description: 'http(s) URL of a UTF-8 CSV file; `https://user:pass@host/…` for basic auth',
      example: 'https://files.example.com/contacts.csv',
    }),
    ...csvOptionsShape,
  })
  .strict()
  .openapi('UploadImportRequest');

export const importIdParams = idPathParams;

export const ImportQuery = z.object({
  failedAfter: z.coerce.number().int().min(-1).max(Number.MAX_SAFE_INTEGER).optional().openapi({
    description: 'List failures after this row index (the last one of the previous page)',
  }),
  failedLimit: z.coerce.number().int().min(0).max(1000).default(1000),
});

export const ImportResource = z
  .object({
    id: z.number().int().openapi({ example: 12 }),
    kind: z.enum(['contacts', 'csv']),
    status: z.enum(['queued', 'running', 'done', 'failed']),
    total: z.number().int().openapi({ description: 'Rows in the import' }),
    processed: z
      .number()
      .int()
      .openapi({ description: 'Rows imported so far (each counted below)' }),
    created: z.number().int(),
    updated: z.number().int(),
    skipped: z
      .number()
      .int()
      .openapi({ description: 'Existing contacts left alone (`updateExisting: false`)' }),
    failed: z.number().int(),
    error: z
      .string()
      .nullable()
      .openapi({ description: 'Why the import as a whole failed, if it did' }),
    failedContacts: z
      .array(
        z.object({
          index: z
            .number()
            .int()
            .openapi({ description: 'Row index, from 0 (CSV: the first line after the header)' }),
          reason: z
            .string()
            .openapi({ example: 'channels.0.value: must be a valid email address' }),
          contact: z.unknown().openapi({ description: 'The row as given (CSV: by column name)' }),
        }),
      )
      .openapi({ description: 'Failed rows in row order, a page of at most `failedLimit`' }),
    createdAt: z.string().openapi({ format: 'date-time' }),
    updatedAt: z.string().openapi({ format: 'date-time' }),
    finishedAt: z.string().nullable().openapi({ format: 'date-time' }),
  })
  .openapi('Import');
export type ImportView = z.infer<typeof ImportResource>;

export const ImportQueued = z
  .object({ id: z.number().int().openapi({ example: 12 }) })
  .openapi('ImportQueued', { description: 'Follow it at GET /api/v1/imports/{id}' });

export const BulkImportQueued = z
  .object({ asyncSessionId: z.number().int().openapi({ example: 12 }) })
  .openapi('BulkImportQueued', {
    description: 'Follow it at GET /api/v1/imports/{asyncSessionId}',
  });
