// Memberships waiting for a form's confirmation: consent is per form, not per address.
import type { DB } from '../db/open-database.ts';
import { insertRow } from '../db/row-inserts.ts';
import { addLabelIds, ensureLabels } from './labels/labels.ts';

/**
 * Of the named groups, the ids of those the contact is not a member of yet. `created`: the contact
 * was created in this transaction, so it is a member of none.
 */
export async function groupsNotJoined(
  db: DB,
  contact: { id: number; created: boolean },
  names: string[],
  now: number,
): Promise<number[]> {
  const groups = await ensureLabels(db, 'group', names, now);
  if (groups.length === 0 || contact.created) return groups.map((g) => g.id);
  const contactId = contact.id;
  const joined = await db
    .selectFrom('contact_groups')
    .select('group_id')
    .where('contact_id', '=', contactId)
    .where(
      'group_id',
      'in',
      groups.map((g) => g.id),
    )
    .execute();
  const member = new Set(joined.map((j) => j.group_id));
  return groups.map((g) => g.id).filter((id) => !member.has(id));
}

/** Records that the contact joins these groups once `formType`'s link is confirmed. */
export async function addPendingGroups(
  db: DB,
  input: { contactId: number; formType: string; groupIds: number[]; now: number },
): Promise<void> {
  // A form names a group or two: one compiled insert each costs less than building one for all.
  for (const groupId of input.groupIds)
    await insertRow(
      db,
      'pending_groups',
      {
        contact_id: input.contactId,
        group_id: groupId,
        form_type: input.formType,
        created_at: input.now,
      },
      { ignoreConflictOn: ['contact_id', 'form_type', 'group_id'] },
    );
}

/** Turns the groups pending on `formType` into memberships; returns how many were pending. */
export async function joinPendingGroups(
  db: DB,
  input: { contactId: number; formType: string; now: number },
): Promise<number> {
  const pending = await db
    .selectFrom('pending_groups')
    .select('group_id')
    .where('contact_id', '=', input.contactId)
    .where('form_type', '=', input.formType)
    .execute();
  if (pending.length === 0) return 0;
  const groupIds = pending.map((p) => p.group_id);
  await addLabelIds(db, 'group', [input.contactId], groupIds, input.now);
  // Joined now, so the same group pending on another form has nothing left to wait for.
  await db
    .deleteFrom('pending_groups')
    .where('contact_id', '=', input.contactId)
    .where('group_id', 'in', groupIds)
    .execute();
  return pending.length;
}

/** Each contact's groups waiting for a confirmation (not counting groups joined since), sorted. */
export async function pendingGroupNamesOf(
  db: DB,
  contactIds: number[],
): Promise<Map<number, string[]>> {
  const byContact = new Map<number, string[]>();
  if (contactIds.length === 0) return byContact;
  const rows = await db
    .selectFrom('pending_groups')
    .innerJoin('groups', 'groups.id', 'pending_groups.group_id')
    .select(['pending_groups.contact_id as contactId', 'groups.name'])
    .distinct()
    .where('pending_groups.contact_id', 'in', contactIds)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('contact_groups')
            .select('contact_groups.group_id')
            .whereRef('contact_groups.contact_id', '=', 'pending_groups.contact_id')
            .whereRef('contact_groups.group_id', '=', 'pending_groups.group_id'),
        ),
      ),
    )
    .orderBy('groups.name')
    .execute();
  for (const row of rows) {
    const names = byContact.get(row.contactId) ?? [];
    names.push(row.name);
    byContact.set(row.contactId, names);
  }
  return byContact;
}

/** Drops every membership a contact was waiting to confirm, on any form (its erasure). */
export async function dropPendingGroups(db: DB, contactId: number): Promise<void> {
  await db.deleteFrom('pending_groups').where('contact_id', '=', contactId).execute();
}
