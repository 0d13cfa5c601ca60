// Finds the contact an input is (external id, else email, else phone) and creates or updates it.

import { dialectOf } from '../db/dialect.ts';
import type { DB } from '../db/open-database.ts';
import type { ContactRow, ContactStatus } from '../db/schema.ts';
import { ConflictError, IdentityConflictError } from '../errors.ts';
import type { NormalizedPhone } from './phone.ts';
import {
  type Address,
  findContactBy,
  insertContact,
  lockIdentities,
  type SettableStatus,
  updateContact,
} from './store/contact-rows.ts';

export interface ContactInput {
  email?: string;
  phone?: NormalizedPhone;
  externalId?: string;
  firstName?: string;
  lastName?: string;
  address?: Address;
  /** Merged into the stored fields (a `null` value clears that field). */
  fields?: Record<string, unknown>;
}

/** What a subscriber typed beyond the identity; an anonymous post may only fill empty values. */
export type SubscriberFills = Omit<ContactInput, 'email' | 'phone' | 'externalId'>;

export type UpsertMode = 'overwrite' | 'fill';

export interface UpsertOptions {
  /** Status given to a contact that is created (or restored from deletion). */
  newStatus: SettableStatus;
  /** Status an existing contact is set to (`overwrite` only); absent: it keeps its status. */
  status?: SettableStatus;
  /**
   * `fill` only: a deleted contact found comes back at once (as `newStatus`). Otherwise it stays
   * deleted, and only its confirmation link brings it back.
   */
  restoreDeleted?: boolean;
  /** `overwrite` only: the stored fields are replaced by the given ones instead of merged. */
  clearExistingFields?: boolean;
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

/**
 * Runs inside the caller's transaction: it locks the identities first, so concurrent writers
 * naming the same email, phone or external id decide one after the other.
 * @example await upsertContact(trx, { email: 'ann@example.com' }, { mode: 'fill', ... })
 */
export async function upsertContact(
  trx: DB,
  input: ContactInput,
  options: UpsertOptions,
): Promise<UpsertResult> {
  await lockIdentities(trx, input);
  // A writer that does not lock (another process on SQLite) can still insert first; look again.
  for (let attempt = 0; attempt < 3; attempt++) {
    const result = await tryUpsert(trx, input, options);
    if (result) return result;
  }
  throw new ConflictError('the contact changed concurrently; retry the request');
}

async function tryUpsert(
  db: DB,
  input: ContactInput,
  options: UpsertOptions,
): Promise<UpsertResult | undefined> {
  const { existing: found, phone } = await matchIdentity(db, input, options.mode);
  // Only what writes the contact found needs it as it is now; an anonymous post only reads it.
  const writes = options.mode === 'overwrite' || (options.restoreDeleted && found?.deleted_at);
  const existing = found && writes ? await stillAsFound(db, found) : found;
  if (found && !existing) return undefined;
  if (existing) {
    if (options.mode === 'overwrite') {
      const contact = await overwrite(db, existing, { ...input, phone }, options);
      return { contact, created: false };
    }
    const contact =
      existing.deleted_at === null || !options.restoreDeleted
        ? existing
        : await updateContact(db, existing, { status: options.newStatus }, options.now);
    return { contact, created: false };
  }
  const fields = Object.fromEntries(
    Object.entries(input.fields ?? {}).filter(([, value]) => value !== null),
  );
  // matchIdentity looked up every identity the new row gets (under their locks) and found none.
  const contact = await insertContact(
    db,
    { ...input, phone, fields },
    { status: options.status ?? options.newStatus, source: options.source, identitiesFree: true },
    options.now,
  );
  return contact && { contact, created: true };
}

/**
 * The contact found, row-locked until the transaction ends, if it still has the identities and
 * deletion it was found with; `undefined` when a write committed since changed them (a concurrent
 * PATCH moving its email away): writing the input onto it would undo that write, so look again.
 */
async function stillAsFound(db: DB, found: ContactRow): Promise<ContactRow | undefined> {
  const row = await dialectOf(db)
    .lockForWrite(db.selectFrom('contacts').selectAll().where('id', '=', found.id))
    .executeTakeFirst();
  const same =
    row !== undefined &&
    row.email === found.email &&
    row.phone === found.phone &&
    row.external_id === found.external_id &&
    row.deleted_at === found.deleted_at;
  return same ? row : undefined;
}

/** The contact the input is (if any) and the phone it may carry; refuses or drops foreign ones. */
async function matchIdentity(
  db: DB,
  input: ContactInput,
  mode: UpsertMode,
): Promise<{ existing?: ContactRow; phone?: NormalizedPhone }> {
  if (input.externalId) {
    const byExternal = await findContactBy(db, 'external_id', input.externalId);
    // Found by its external id: the email and phone given are its new ones (checked on write).
    if (byExternal) return { existing: byExternal, phone: input.phone };
  }
  const byEmail = input.email ? await findContactBy(db, 'email', input.email) : undefined;
  const byPhone = input.phone ? await findContactBy(db, 'phone', input.phone.e164) : undefined;
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

function overwrite(
  db: DB,
  contact: ContactRow,
  input: ContactInput,
  options: UpsertOptions,
): Promise<ContactRow> {
  // A deleted contact found again comes back with the status it had (restore's rule).
  const restored = contact.deleted_at !== null;
  const status: ContactStatus | undefined =
    options.status ?? (restored ? (contact.status_before_delete ?? options.newStatus) : undefined);
  return updateContact(
    db,
    contact,
    {
      email: input.email,
      phone: input.phone,
      externalId: input.externalId,
      firstName: input.firstName,
      lastName: input.lastName,
      address: input.address,
      ...(options.clearExistingFields
        ? { fields: input.fields ?? {} }
        : { fieldChanges: input.fields }),
      status: status as SettableStatus | undefined,
    },
    options.now,
  );
}

/**
 * Fills only the empty values of a contact (never its identities): how what an anonymous post
 * typed is applied once its confirmation link is used.
 */
export function fillContact(
  db: DB,
  contact: ContactRow,
  fills: SubscriberFills,
  now: number,
): Promise<ContactRow> {
  const empty = <T>(given: T | undefined, stored: unknown): T | undefined =>
    stored === null ? given : undefined;
  const storedFields = JSON.parse(contact.fields) as Record<string, unknown>;
  return updateContact(
    db,
    contact,
    {
      firstName: empty(fills.firstName, contact.first_name),
      lastName: empty(fills.lastName, contact.last_name),
      address: empty(fills.address, contact.address),
      fields: fills.fields ? { ...fills.fields, ...storedFields } : undefined,
    },
    now,
  );
}
