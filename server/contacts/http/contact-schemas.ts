// Request and response schemas of the contacts routes: one zod schema validates and documents each.
import { z } from '@hono/zod-openapi';
import { idPathParams } from '../../http/api-app.ts';
import { pageQuery } from '../../http/pagination.ts';
import {
  BulkContactsRequest,
  BulkImportQueued,
  ImportResource,
} from '../../imports/http/import-schemas.ts';
import { contactInputShape, phoneOptionsShape } from '../contact-input.ts';
import { ContactResource, ContactStatusSchema, SettableStatusSchema } from '../contact-resource.ts';
import { fromForeignShapes } from '../foreign-shapes.ts';

const labelName = z.string().trim().min(1).max(200);
/** Tags one call may give, on every call that takes them. */
const MAX_TAGS = 10;
const groupIds = z.array(z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)).max(50);

/** The contact id in a path; one that does not parse is a 404. */
export const contactIdParams = idPathParams;

/** The native create-or-update body: a contact's own keys with the options beside them. */
export const SaveContactBody = z
  .object({
    ...contactInputShape,
    ...phoneOptionsShape,
    status: SettableStatusSchema.optional().openapi({
      description: 'A new contact is `confirmed` unless given; an existing one keeps its status',
    }),
    groups: z
      .array(labelName)
      .max(50)
      .optional()
      .openapi({
        description: 'Group names to add the contact to (unknown names are created)',
        example: ['Customers'],
      }),
    groupIds: groupIds
      .optional()
      .openapi({ description: 'Group ids to add the contact to (each must exist)' }),
    removeFromGroups: z.array(labelName).max(50).optional(),
    removeFromGroupIds: groupIds
      .optional()
      .openapi({ description: 'Unknown ids are ignored: the contact is not in them' }),
    removeFromAllOtherGroups: z
      .boolean()
      .optional()
      .openapi({ description: 'Leave the contact only in the groups this request adds' }),
    clearExistingFields: z.boolean().optional().openapi({
      description: "Replace the contact's fields by the given ones instead of merging",
    }),
    tags: z.array(labelName).max(MAX_TAGS).optional(),
  })
  .strict()
  .openapi('SaveContactRequest');

/** eSputnik's bulk add/update: a body with a `contacts` array (an import, see imports/). */
export const isBulkBody = (raw: unknown): boolean =>
  typeof raw === 'object' && raw !== null && 'contacts' in raw;

/** One contact's create-or-update body: the native body, or an inwise or ip1 body read into it. */
export const singleSaveRequest = z.preprocess(
  (raw, ctx) => fromForeignShapes(raw, ctx),
  SaveContactBody,
);

/** What POST /contacts validates: a bulk body as it is, or one contact's body (any shape). */
export const saveContactRequest = z.preprocess(
  (raw, ctx) => (isBulkBody(raw) ? raw : fromForeignShapes(raw, ctx)),
  z.union([BulkContactsRequest, SaveContactBody]),
);

export const SaveContactResponse = z
  .object({ action: z.enum(['created', 'updated']), contact: ContactResource })
  .openapi('SaveContactResult');

/** POST /contacts answers 200 for an updated contact, a queued bulk import, or a finished one. */
export const SaveOrImportResponse = z.union([
  SaveContactResponse,
  BulkImportQueued,
  ImportResource,
]);

export const PatchContactRequest = z
  .object({ ...contactInputShape, ...phoneOptionsShape, status: SettableStatusSchema.optional() })
  .strict()
  .openapi('PatchContactRequest');

export const ReplaceContactRequest = z
  .object({
    ...contactInputShape,
    ...phoneOptionsShape,
    status: SettableStatusSchema.optional().openapi({ description: 'Unchanged when absent' }),
    groups: z
      .array(labelName)
      .max(50)
      .optional()
      .openapi({ description: 'The whole set of (confirmed) groups; unchanged when absent' }),
    tags: z
      .array(labelName)
      .max(MAX_TAGS)
      .optional()
      .openapi({
        description: `The whole set of tags, at most ${MAX_TAGS} (like every call that takes tags); \`[]\` removes them all; unchanged when absent`,
      }),
  })
  .strict()
  .openapi('ReplaceContactRequest');

export const TagsRequest = z
  .object({
    tags: z
      .array(labelName)
      .min(1)
      .max(MAX_TAGS)
      .openapi({ example: ['vip'] }),
  })
  .strict()
  .openapi('ContactTagsRequest');

export const DeleteContactQuery = z.object({
  erase: z
    .enum(['true', 'false'])
    .optional()
    .openapi({ description: '`true`: also erase personal data (GDPR); cannot be undone' }),
});

/** The fixed filters; `field.<key>` and `meta.<key>` are read from the raw query (list-query.ts). */
export const ListContactsQuery = z.object({
  email: z.string().max(254).optional(),
  phone: z.string().max(40).optional().openapi({ description: 'Any accepted format; E.164 match' }),
  defaultCountry: phoneOptionsShape.defaultCountry,
  externalId: z.string().max(200).optional(),
  status: ContactStatusSchema.optional().openapi({
    description: 'Deleted contacts are listed only with `status=deleted`',
  }),
  group: z.string().max(200).optional().openapi({ description: 'A group name or id' }),
  tag: z.string().max(200).optional(),
  source: z.string().max(200).optional().openapi({ example: 'api:crm' }),
  ...pageQuery,
});

export const ContactPage = z
  .object({
    items: z.array(ContactResource),
    nextCursor: z.string().nullable().openapi({ description: 'Opaque; null on the last page' }),
  })
  .openapi('ContactPage');
