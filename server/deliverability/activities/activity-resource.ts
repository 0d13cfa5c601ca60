// The activity JSON of /api/v1/activities, defined once as a zod schema (its view type is inferred).
import { z } from '@hono/zod-openapi';
import type { ActivityRow } from '../../db/schema.ts';

export const activityActions = [
  'sent',
  'delivered',
  'opened',
  'clicked',
  'bounced',
  'complained',
  'unsubscribed',
] as const;

export const ActivityResource = z
  .object({
    id: z.number().int(),
    action: z.enum(activityActions),
    contactId: z.number().int().nullable(),
    messageId: z.string().nullable().openapi({ description: 'The mail’s Message-ID, when known' }),
    email: z
      .string()
      .nullable()
      .openapi({ description: 'Set only for feedback about an address no contact has' }),
    workflow: z.string().nullable(),
    step: z.string().nullable(),
    url: z.string().nullable().openapi({ description: 'The link followed (`clicked`)' }),
    detail: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({ description: 'A bounce’s `type` (hard, soft), `status` and `diagnostic`…' }),
    createdAt: z.iso.datetime(),
  })
  .openapi('Activity');

export type ActivityView = z.infer<typeof ActivityResource>;

export function toActivityView(row: ActivityRow): ActivityView {
  return {
    id: Number(row.id),
    action: row.action,
    contactId: row.contact_id === null ? null : Number(row.contact_id),
    messageId: row.message_id,
    email: row.email,
    workflow: row.workflow,
    step: row.step,
    url: row.url,
    detail: row.detail ? (JSON.parse(row.detail) as Record<string, unknown>) : null,
    createdAt: new Date(Number(row.created_at)).toISOString(),
  };
}
