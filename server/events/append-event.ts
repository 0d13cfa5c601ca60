// Appending to the event log; the workflow engine and the events API read from it.
import { insertRow } from '../db/row-inserts.ts';
import type { Tx } from '../db/unit-of-work.ts';

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

/**
 * Appends in the caller's transaction and wakes the engine once it commits.
 * @example await appendEvent(tx, { type: 'unsubscribed', contactId: 7, params: { ContactId: 7 }, now });
 */
export async function appendEvent(
  tx: Tx,
  input: { type: string; contactId: number | null; key?: string; params: object; now: number },
): Promise<number> {
  const row = await insertRow<'events', { id: number }>(
    tx.db,
    'events',
    {
      type: input.type,
      key: input.key ?? String(input.contactId ?? ''),
      contact_id: input.contactId,
      params: JSON.stringify(input.params),
      created_at: input.now,
    },
    { returning: ['id'] },
  );
  tx.afterCommit(tx.wakeups.engine);
  return Number(row?.id);
}

/**
 * Appends many events in one statement per 500 (an import's events for its new contacts), in the
 * caller's transaction; wakes the engine once it commits.
 */
export async function appendEvents(
  tx: Tx,
  inputs: { type: string; contactId: number | null; key: string; params: object; now: number }[],
): Promise<void> {
  for (let i = 0; i < inputs.length; i += 500) {
    await tx.db
      .insertInto('events')
      .values(
        inputs.slice(i, i + 500).map((input) => ({
          type: input.type,
          key: input.key,
          contact_id: input.contactId,
          params: JSON.stringify(input.params),
          created_at: input.now,
        })),
      )
      .execute();
  }
  if (inputs.length > 0) tx.afterCommit(tx.wakeups.engine);
}
