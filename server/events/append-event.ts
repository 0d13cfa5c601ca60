// Appending to the event log; the workflow engine and the events API read from it.
import type { DB } from '../db/open-database.ts';
import type { EventRow } from '../db/schema.ts';

export interface ContactEventParams {
  ContactId: number;
  EmailAddress?: string;
}

/** `base` with `-formType` appended when a formType is given: subscribeFromApi-newsletter. */
export function eventName(base: string, formType: string | null | undefined): string {
  return formType ? `${base}-${formType}` : base;
}

export function contactEventParams(contact: {
  id: number;
  email: string | null;
}): ContactEventParams {
  return contact.email
    ? { ContactId: contact.id, EmailAddress: contact.email }
    : { ContactId: contact.id };
}

export interface EventView {
  id: number;
  type: string;
  key: string;
  contactId: number | null;
  params: Record<string, unknown>;
  createdAt: string;
}

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

/**
 * @example await appendEvent(trx, { type: 'unsubscribed', contactId: 7, params: { ContactId: 7 } });
 */
export async function appendEvent(
  db: DB,
  input: { type: string; contactId: number | null; key?: string; params: object; now?: number },
): Promise<number> {
  const row = await db
    .insertInto('events')
    .values({
      type: input.type,
      key: input.key ?? String(input.contactId ?? ''),
      contact_id: input.contactId,
      params: JSON.stringify(input.params),
      created_at: input.now ?? Date.now(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
