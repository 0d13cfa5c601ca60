// A custom event for one contact (POST /api/v1/events): the contact is found by one identity,
// then the event is appended like any other, so it starts workflows listening to its type.
import { findContactBy, findContactById } from '../contacts/store/contact-rows.ts';
import type { DB } from '../db/open-database.ts';
import { type VerbContext, withTransaction } from '../db/unit-of-work.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { appendEvent, contactEventParams } from './append-event.ts';
import type { EventView } from './event-resource.ts';

/** How a caller names the contact: exactly one identity (a phone in E.164). */
export type ContactIdentity =
  | { contactId: number }
  | { email: string }
  | { phone: string }
  | { externalId: string };

export type CustomEventParams = Record<string, string | number | boolean | null>;

/** Params every contact event carries; they always describe the contact, whatever was given. */
const CONTACT_PARAMS = new Set(['ContactId', 'EmailAddress']);

function findByIdentity(db: DB, identity: ContactIdentity) {
  if ('contactId' in identity) return findContactById(db, identity.contactId);
  if ('email' in identity) return findContactBy(db, 'email', identity.email);
  if ('phone' in identity) return findContactBy(db, 'phone', identity.phone);
  return findContactBy(db, 'external_id', identity.externalId);
}

function describeIdentity(identity: ContactIdentity): string {
  const [name, value] = Object.entries(identity)[0] as [string, unknown];
  return `${name} ${JSON.stringify(value)}`;
}

/**
 * Appends an event of `type` for the contact the identity names. An unknown contact is a
 * NotFoundError; a deleted one a ConflictError (deleted contacts are out of workflows).
 * @example await recordContactEvent(ctx, { type: 'orderPaid', identity: { email: 'ann@example.com' }, params: { total: 99.5 }, now })
 */
export function recordContactEvent(
  ctx: VerbContext,
  input: { type: string; identity: ContactIdentity; params: CustomEventParams; now: number },
): Promise<EventView> {
  return withTransaction(ctx, async (tx) => {
    const contact = await findByIdentity(tx.db, input.identity);
    if (!contact) throw new NotFoundError(`no contact with ${describeIdentity(input.identity)}`);
    if (contact.deleted_at !== null)
      throw new ConflictError(
        `contact ${contact.id} is deleted, so it is out of workflows; ` +
          `restore it (POST /api/v1/contacts/${contact.id}/restore) before sending it events`,
      );
    const given = Object.entries(input.params).filter(([name]) => !CONTACT_PARAMS.has(name));
    const params = { ...Object.fromEntries(given), ...contactEventParams(contact) };
    const key = String(contact.id);
    const id = await appendEvent(tx, {
      type: input.type,
      contactId: contact.id,
      key,
      params,
      now: input.now,
    });
    return {
      id,
      type: input.type,
      key,
      contactId: contact.id,
      params,
      createdAt: new Date(input.now).toISOString(),
    };
  });
}
