// Create-or-update of one contact without double opt-in: the API's POST /contacts (no event, no mail).
import type { DB } from '../db/open-database.ts';
import { type VerbContext, withTransaction } from '../db/unit-of-work.ts';
import { type FieldIssue, ValidationError } from '../errors.ts';
import { type ReadContact, upsertInputOf } from './contact-input.ts';
import { type ContactView, loadContactView } from './contact-view.ts';
import {
  addLabelIds,
  addLabels,
  ensureLabels,
  findLabels,
  missingLabelIds,
  removeLabelIds,
} from './labels/labels.ts';
import { findContactById, type SettableStatus } from './store/contact-rows.ts';
import { type ContactInput, upsertContact } from './upsert-contact.ts';

/** Membership changes that ride along with a save; names of unknown groups are created. */
export interface GroupChanges {
  groups?: string[];
  /** Ids of existing groups; an unknown id is a 422 (`groupIds.<index>`). */
  groupIds?: number[];
  removeFromGroups?: string[];
  /** Unknown ids are ignored: the contact is not in them. */
  removeFromGroupIds?: number[];
  /** Leaves the contact only in the groups this save adds. */
  removeFromAllOtherGroups?: boolean;
}

export interface SaveContactInput extends GroupChanges {
  contact: ReadContact;
  /** A new contact's status (default `confirmed`); an existing one changes only when given. */
  status?: SettableStatus;
  clearExistingFields?: boolean;
  tags?: string[];
  source: string;
}

export interface SaveContactResult {
  created: boolean;
  contact: ContactView;
}

/** The contact to upsert; it needs something to be found by. */
function contactInputOf(contact: ReadContact): ContactInput {
  const input = upsertInputOf(contact);
  if (!input.email && !input.phone && !input.externalId)
    throw new ValidationError([
      { field: 'email', message: 'send an email, a phone or an externalId to find the contact by' },
    ]);
  return input;
}

/** The ids among `ids` that name no group, as issues naming `groupIds.<index>`. */
export async function unknownGroupIds(db: DB, ids: number[]): Promise<FieldIssue[]> {
  const missing = new Set(await missingLabelIds(db, 'group', ids));
  return ids.flatMap((id, index) =>
    missing.has(id) ? [{ field: `groupIds.${index}`, message: `no group with id ${id}` }] : [],
  );
}

async function changeGroups(db: DB, contactId: number, change: GroupChanges, now: number) {
  const named = await ensureLabels(db, 'group', change.groups ?? [], now);
  const added = [...new Set([...named.map((g) => g.id), ...(change.groupIds ?? [])])];
  const removed = [
    ...(await findLabels(db, 'group', change.removeFromGroups ?? [])).map((g) => g.id),
    ...(change.removeFromGroupIds ?? []),
  ];
  const both = removed.filter((id) => added.includes(id));
  if (both.length > 0)
    throw new ValidationError([
      { field: 'removeFromGroups', message: `adds and removes the same group (id ${both[0]})` },
    ]);
  await addLabelIds(db, 'group', [contactId], added, now);
  if (change.removeFromAllOtherGroups)
    await removeLabelIds(db, 'group', [contactId], { except: added }, now);
  await removeLabelIds(db, 'group', [contactId], removed, now);
}

/**
 * Finds the contact by external id, else email, else phone, and creates it (status `confirmed`
 * unless given) or overwrites the values given; then changes its groups and adds its tags. An email
 * and a phone of two contacts is an IdentityConflictError naming both.
 * @example await saveContact(ctx, { contact: { email: 'ann@example.com' }, groups: ['VIP'], source: 'api:crm' }, now)
 */
export function saveContact(
  ctx: VerbContext,
  input: SaveContactInput,
  now: number,
): Promise<SaveContactResult> {
  const contactInput = contactInputOf(input.contact);
  return withTransaction(ctx, async (tx) => {
    const trx = tx.db;
    const unknown = await unknownGroupIds(trx, input.groupIds ?? []);
    if (unknown.length > 0) throw new ValidationError(unknown);
    const { contact, created } = await upsertContact(trx, contactInput, {
      mode: 'overwrite',
      newStatus: input.status ?? 'confirmed',
      status: input.status,
      clearExistingFields: input.clearExistingFields,
      source: input.source,
      now,
    });
    await changeGroups(trx, contact.id, input, now);
    await addLabels(trx, 'tag', [contact.id], input.tags ?? [], now);
    // Memberships stamp the row again (the change feed), so the view reads it afresh.
    const row = (await findContactById(trx, contact.id)) ?? contact;
    return { created, contact: await loadContactView(trx, row) };
  });
}
