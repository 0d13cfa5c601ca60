// Finds the contact a subscriber is (dedupe on email, else phone) and creates or updates it.

import { dialectOf } from '../db/dialect.ts';
import type { DB } from '../db/open-database.ts';
import type { ContactRow, ContactStatus } from '../db/schema.ts';
import { ConflictError, IdentityConflictError } from '../errors.ts';
import { mailboxOf } from './mailbox.ts';
import type { NormalizedPhone } from './phone.ts';

export interface SubscriberInput {
  email?: string;
  phone?: NormalizedPhone;
  firstName?: string;
  lastName?: string;
  address?: Record<string, string>;
  fields?: Record<string, unknown>;
}

/** What a subscriber typed beyond the identity; an anonymous post may only fill empty values. */
export type SubscriberFills = Omit<SubscriberInput, 'email' | 'phone'>;

export type UpsertMode = 'overwrite' | 'fill';

export interface UpsertOptions {
  /** Status given to a contact that is created (or restored from deletion). */
  newStatus: ContactStatus;
  source: string;
  /**
   * `overwrite` (authenticated callers): given values replace stored ones; an identity that points
   * at another contact is an IdentityConflictError.
   * `fill` (anonymous posts): an existing contact is found but not written, so a stranger can never
   * change its identity or data (what was typed waits for a confirmation, see `fillContact`); an
   * email with a phone that belongs to another contact becomes a contact of its own, without it.
   */
  mode: UpsertMode;
  now: number;
}

export interface UpsertResult {
  contact: ContactRow;
  created: boolean;
}

const findBy = (db: DB, column: 'email' | 'phone', value: string) =>
  db.selectFrom('contacts').selectAll().where(column, '=', value).executeTakeFirst();

/** Lock keys for the identities a subscriber names; the mailbox also guards its mail throttle. */
function identityLockKeys(input: { email?: string; phone?: NormalizedPhone }): string[] {
  return [
    ...(input.email ? [`mailbox:${mailboxOf(input.email).mailbox}`] : []),
    ...(input.phone ? [`phone:${input.phone.e164}`] : []),
  ];
}

/**
 * Runs inside the caller's transaction: it locks the identities first, so concurrent subscribes
 * naming the same email or phone decide one after the other, each seeing what the last committed.
 * @example await upsertSubscriber(trx, { email: 'ann@example.com' }, { mode: 'fill', ... })
 */
export async function upsertSubscriber(
  trx: DB,
  input: SubscriberInput,
  options: UpsertOptions,
): Promise<UpsertResult> {
  await dialectOf(trx).lockIdentities(trx, identityLockKeys(input));
  // A writer that does not lock (another path) can still insert first; the next pass finds it.
  for (let attempt = 0; attempt < 3; attempt++) {
    const result = await tryUpsert(trx, input, options);
    if (result) return result;
  }
  throw new ConflictError('the contact changed concurrently; retry the request');
}

async function tryUpsert(
  db: DB,
  input: SubscriberInput,
  options: UpsertOptions,
): Promise<UpsertResult | undefined> {
  const byEmail = input.email ? await findBy(db, 'email', input.email) : undefined;
  const byPhone = input.phone ? await findBy(db, 'phone', input.phone.e164) : undefined;
  const { existing, phone } = matchIdentity(input, byEmail, byPhone, options.mode);

  if (existing) {
    if (options.mode === 'overwrite') {
      const contact = await updateExisting(db, existing, { ...input, phone }, options);
      return { contact, created: false };
    }
    const contact =
      existing.deleted_at === null ? existing : await updateExisting(db, existing, {}, options);
    return { contact, created: false };
  }

  const inserted = await db
    .insertInto('contacts')
    .values({
      email: input.email ?? null,
      phone: phone?.e164 ?? null,
      phone_meta: phone ? JSON.stringify(phone.meta) : null,
      first_name: input.firstName ?? null,
      last_name: input.lastName ?? null,
      address: input.address ? JSON.stringify(input.address) : null,
      fields: JSON.stringify(input.fields ?? {}),
      status: options.newStatus,
      source: options.source,
      email_confirmed_at: options.newStatus === 'confirmed' ? options.now : null,
      created_at: options.now,
      updated_at: options.now,
    })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
  return inserted && { contact: inserted, created: true };
}

/** The contact the input is (if any) and the phone it may carry; refuses or drops foreign ones. */
function matchIdentity(
  input: SubscriberInput,
  byEmail: ContactRow | undefined,
  byPhone: ContactRow | undefined,
  mode: UpsertMode,
): { existing?: ContactRow; phone?: NormalizedPhone } {
  if (byEmail && byPhone && byEmail.id !== byPhone.id) {
    if (mode === 'overwrite')
      throw new IdentityConflictError(
        [byEmail.id, byPhone.id],
        `email belongs to contact ${byEmail.id} and phone to contact ${byPhone.id}; ` +
          'send one of them or merge the contacts first',
      );
    return { existing: byEmail };
  }
  if (byEmail) return { existing: byEmail, phone: input.phone };
  if (byPhone && input.email) {
    if (mode === 'fill') return {};
    if (byPhone.email !== null)
      throw new IdentityConflictError(
        [byPhone.id],
        `phone ${byPhone.phone} belongs to contact ${byPhone.id}, which has another email address`,
      );
  }
  return { existing: byPhone, phone: input.phone };
}

/**
 * Fills only the empty values of a contact (never its email or phone): how what an anonymous
 * post typed is applied once its confirmation link is used.
 */
export function fillContact(
  db: DB,
  contact: ContactRow,
  fills: SubscriberFills,
  now: number,
): Promise<ContactRow> {
  return updateExisting(db, contact, fills, { mode: 'fill', newStatus: contact.status, now });
}

async function updateExisting(
  db: DB,
  contact: ContactRow,
  input: SubscriberInput,
  options: Pick<UpsertOptions, 'mode' | 'newStatus' | 'now'>,
): Promise<ContactRow> {
  const pick = <T>(given: T | undefined, stored: T | null): T | null =>
    given === undefined ? stored : options.mode === 'overwrite' || stored === null ? given : stored;
  const storedFields = JSON.parse(contact.fields) as Record<string, unknown>;
  const fields =
    options.mode === 'overwrite'
      ? { ...storedFields, ...input.fields }
      : { ...input.fields, ...storedFields };
  const phone =
    input.phone && (options.mode === 'overwrite' || contact.phone === null)
      ? input.phone
      : undefined;
  const restored = contact.deleted_at !== null;
  return db
    .updateTable('contacts')
    .set({
      email: pick(input.email, contact.email),
      ...(phone ? { phone: phone.e164, phone_meta: JSON.stringify(phone.meta) } : {}),
      first_name: pick(input.firstName, contact.first_name),
      last_name: pick(input.lastName, contact.last_name),
      address:
        input.address && (options.mode === 'overwrite' || contact.address === null)
          ? JSON.stringify(input.address)
          : contact.address,
      fields: JSON.stringify(fields),
      updated_at: options.now,
      ...(restored ? { deleted_at: null, status: options.newStatus } : {}),
    })
    .where('id', '=', contact.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}
