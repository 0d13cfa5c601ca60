// Finds the contact a subscriber is (dedupe on email, else phone) and creates or updates it.

import type { DB } from '../db/open-database.ts';
import type { ContactRow, ContactStatus } from '../db/schema.ts';
import { ConflictError, IdentityConflictError } from '../errors.ts';
import type { NormalizedPhone } from './phone.ts';

export interface SubscriberInput {
  email?: string;
  phone?: NormalizedPhone;
  firstName?: string;
  lastName?: string;
  address?: Record<string, string>;
  fields?: Record<string, unknown>;
}

export interface UpsertOptions {
  /** Status given to a contact that is created (or restored from deletion). */
  newStatus: ContactStatus;
  source: string;
  /**
   * `overwrite`: given values replace stored ones (authenticated callers).
   * `fill`: only empty values are filled (public forms, so strangers cannot rewrite a contact).
   */
  mode: 'overwrite' | 'fill';
  /** `error` reports a split identity; `dropPhone` quietly keeps the phone where it is. */
  onIdentityConflict: 'error' | 'dropPhone';
  now: number;
}

export interface UpsertResult {
  contact: ContactRow;
  created: boolean;
}

const findBy = (db: DB, column: 'email' | 'phone', value: string) =>
  db.selectFrom('contacts').selectAll().where(column, '=', value).executeTakeFirst();

/**
 * @example await upsertSubscriber(trx, { email: 'ann@example.com' }, { mode: 'fill', ... })
 */
export async function upsertSubscriber(
  db: DB,
  input: SubscriberInput,
  options: UpsertOptions,
): Promise<UpsertResult> {
  // A concurrent insert of the same address makes ours a no-op; the second pass finds it.
  for (let attempt = 0; attempt < 3; attempt++) {
    const result = await tryUpsert(db, input, options);
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
  let phone = input.phone;
  let existing = byEmail;

  if (byEmail && byPhone && byEmail.id !== byPhone.id) {
    if (options.onIdentityConflict === 'error')
      throw new IdentityConflictError(byEmail.id, byPhone.id);
    phone = undefined;
  } else if (!byEmail && byPhone) {
    if (!input.email || byPhone.email === null) {
      existing = byPhone;
    } else if (options.onIdentityConflict === 'error') {
      throw new ConflictError(
        `phone ${byPhone.phone} belongs to contact ${byPhone.id}, which has another email address`,
      );
    } else {
      phone = undefined;
    }
  }

  if (existing)
    return {
      contact: await updateExisting(db, existing, { ...input, phone }, options),
      created: false,
    };

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

async function updateExisting(
  db: DB,
  contact: ContactRow,
  input: SubscriberInput,
  options: UpsertOptions,
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
