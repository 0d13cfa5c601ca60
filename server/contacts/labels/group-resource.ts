// The Group resource: one zod schema that validates, documents (OpenAPI) and types a group's JSON.
import { z } from '@hono/zod-openapi';

/** A group's name as forms, workflows and the API write it (names are unique). */
export const GroupNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((v) => !/\p{Cc}/u.test(v), 'must not contain control characters or line breaks')
  .openapi({ example: 'Newsletter' });

export const GroupResource = z
  .object({
    id: z.number().int().openapi({ example: 7 }),
    name: z.string().openapi({ example: 'Newsletter' }),
    contactCount: z
      .number()
      .int()
      .openapi({
        description:
          'Members that are not deleted, whatever their status (unconfirmed, unsubscribed and ' +
          'bounced ones count); memberships waiting for a form’s confirmation link do not',
        example: 1250,
      }),
    createdAt: z.string().openapi({ format: 'date-time', example: '2026-12-03T10:00:00.000Z' }),
  })
  .openapi('Group');

export type GroupView = z.infer<typeof GroupResource>;
