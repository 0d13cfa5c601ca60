// Group membership by group name; unknown names become new groups.
import type { DB } from '../db/open-database.ts';

/** Adds the contact to every named group, creating groups that do not exist yet. */
export async function addContactToGroups(
  db: DB,
  contactId: number,
  names: string[],
): Promise<void> {
  const groups = await ensureGroups(db, names);
  if (groups.length === 0) return;
  const now = Date.now();
  await db
    .insertInto('contact_groups')
    .values(groups.map((g) => ({ contact_id: contactId, group_id: g.id, created_at: now })))
    .onConflict((oc) => oc.columns(['contact_id', 'group_id']).doNothing())
    .execute();
}

/** The groups with these names (trimmed, blanks dropped), creating the ones that do not exist. */
export async function ensureGroups(db: DB, names: string[]): Promise<{ id: number }[]> {
  const unique = [...new Set(names.map((n) => n.trim()).filter(Boolean))];
  if (unique.length === 0) return [];
  await db
    .insertInto('groups')
    .values(unique.map((name) => ({ name, created_at: Date.now() })))
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  return db.selectFrom('groups').select('id').where('name', 'in', unique).execute();
}

export async function removeContactFromGroups(
  db: DB,
  contactId: number,
  names: string[],
): Promise<void> {
  if (names.length === 0) return;
  await db
    .deleteFrom('contact_groups')
    .where('contact_id', '=', contactId)
    .where('group_id', 'in', (eb) =>
      eb.selectFrom('groups').select('id').where('name', 'in', names),
    )
    .execute();
}

export async function groupNamesOf(db: DB, contactId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('contact_groups')
    .innerJoin('groups', 'groups.id', 'contact_groups.group_id')
    .select('groups.name')
    .where('contact_groups.contact_id', '=', contactId)
    .orderBy('groups.name')
    .execute();
  return rows.map((r) => r.name);
}
