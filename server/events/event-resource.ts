// The Event resource: one zod schema that validates, documents (OpenAPI) and types the event JSON.
import { z } from '@hono/zod-openapi';
import type { EventRow } from '../db/schema.ts';

export const EventResource = z
  .object({
    id: z.number().int().openapi({ example: 1201 }),
    type: z.string().openapi({ example: 'orderPaid' }),
    key: z.string().openapi({ description: "The contact's id, as text", example: '42' }),
    contactId: z.number().int().nullable().openapi({ example: 42 }),
    params: z.record(z.string(), z.unknown()).openapi({
      example: { ContactId: 42, EmailAddress: 'ann@example.com', orderId: 'A-17', total: 99.5 },
    }),
    createdAt: z.string().openapi({ format: 'date-time', example: '2026-12-03T10:00:00.000Z' }),
  })
  .openapi('Event');

export type EventView = z.infer<typeof EventResource>;

export function toEventView(row: EventRow): EventView {
  return {
    id: row.id,
    type: row.type,
    key: row.key,
    contactId: row.contact_id,
    params: JSON.parse(row.params),
    createdAt: new Date(row.created_at).toISOString(),
  };
}
