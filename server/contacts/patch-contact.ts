// The patch verb: given keys change, `null` clears (also inside `fields`), absent keys stay.
import type { DB } from '../db/open-database.ts';
import type { ContactRow } from '../db/schema.ts';
import { type VerbContext, withTransaction } from '../db/unit-of-work.ts';
import { NotFoundError } from '../errors.ts';
import { type ContactView, loadContactView } from './contact-view.ts';
import {
  type ContactData,
  findContactById,
  lockContacts,
  type SettableStatus,
  updateContact,
} from './store/contact-rows.ts';

export interface ContactPatch extends Omit<ContactData, 'fields'> {
  /** Merged into the stored fields; a `null` value removes that field. */
  fields?: Record<string, unknown> | null;
  status?: SettableStatus;
}

/**
 * Changes some of a contact's data. Runs in the caller's transaction; identities are locked and
 * checked, defined fields type-checked (the store does both).
 * @example await patchContact(trx, 42, { firstName: 'Ann', fields: { plan: null } }, now)
 */
export async function patchContact(
  db: DB,
  id: number,
  patch: ContactPatch,
  now: number,
): Promise<ContactRow> {
  // The contact's lock, as deleting takes it: a delete committing meanwhile is seen, not written over.
  await lockContacts(db, [id]);
  const current = await findContactById(db, id);
  if (!current) throw new NotFoundError(`contact ${id} not found`);
  const { fields, ...rest } = patch;
  // Merged by the store when it writes, so concurrent patches of other fields are all kept.
  return updateContact(
    db,
    current,
    fields === null ? { ...rest, fields: {} } : { ...rest, fieldChanges: fields },
    now,
  );
}

/** The API's PATCH: `patchContact` in a transaction of its own, answered with the contact's JSON. */
export function editContact(
  ctx: VerbContext,
  id: number,
  patch: ContactPatch,
  now: number,
): Promise<ContactView> {
  return withTransaction(ctx, async (tx) =>
    loadContactView(tx.db, await patchContact(tx.db, id, patch, now)),
  );
}
