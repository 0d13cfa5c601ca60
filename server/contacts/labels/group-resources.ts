// Groups as resources: list with member counts, create, rename and delete (the API's group verbs).
import { dialectOf } from '../../db/dialect.ts';
import type { DB } from '../../db/open-database.ts';
import { ConflictError, NotFoundError } from '../../errors.ts';
import { renameGroupInForms } from '../../forms/forms-store.ts';
import { toPage } from '../../http/pagination.ts';
import { touchContacts } from '../store/contact-rows.ts';
import type { GroupView } from './group-resource.ts';
import { emptyLabel } from './labels.ts';

interface GroupRow {
  id: number;
  name: string;
  created_at: number;
}

/** Bound parameters per statement stay far below SQLite's and PostgreSQL's limits. */
const CHUNK = 1000;

const toView = (row: GroupRow, contactCount: number): GroupView => ({
  id: row.id,
  name: row.name,
  contactCount,
  createdAt: new Date(row.created_at).toISOString(),
});

/** Members that are not deleted, whatever their status, for many groups in one grouped query. */
async function contactCounts(db: DB, groupIds: number[]): Promise<Map<number, number>> {
  if (groupIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('contact_groups')
    .innerJoin('contacts', 'contacts.id', 'contact_groups.contact_id')
    .select((eb) => ['contact_groups.group_id as groupId', eb.fn.countAll().as('n')])
    .where('contact_groups.group_id', 'in', groupIds)
    .where('contacts.deleted_at', 'is', null)
    .groupBy('contact_groups.group_id')
    .execute();
  return new Map(rows.map((r) => [r.groupId, Number(r.n)]));
}

async function viewOf(db: DB, row: GroupRow): Promise<GroupView> {
  return toView(row, (await contactCounts(db, [row.id])).get(row.id) ?? 0);
}

async function findGroupRow(db: DB, id: number): Promise<GroupRow> {
  const row = await db
    .selectFrom('groups')
    .select(['id', 'name', 'created_at'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw new NotFoundError(`group ${id} not found`);
  return row;
}

/** Creation order (by id); `after` is the last id of the previous page. */
export async function listGroups(
  db: DB,
  input: { after?: number; limit: number },
): Promise<{ items: GroupView[]; nextCursor: string | null }> {
  let query = db
    .selectFrom('groups')
    .select(['id', 'name', 'created_at'])
    .orderBy('id')
    .limit(input.limit + 1);
  if (input.after !== undefined) query = query.where('id', '>', input.after);
  const rows = await query.execute();
  const counts = await contactCounts(
    db,
    rows.slice(0, input.limit).map((r) => r.id),
  );
  return toPage(rows, input.limit, (row) => toView(row, counts.get(row.id) ?? 0));
}

export async function getGroup(db: DB, id: number): Promise<GroupView> {
  return viewOf(db, await findGroupRow(db, id));
}

/** @example await createGroup(db, 'VIP', now) // { id, name: 'VIP', contactCount: 0, createdAt } */
export async function createGroup(db: DB, name: string, now: number): Promise<GroupView> {
  const row = await db
    .insertInto('groups')
    .values({ name, created_at: now })
    .onConflict((oc) => oc.column('name').doNothing())
    .returning(['id', 'name', 'created_at'])
    .executeTakeFirst();
  if (!row) throw new ConflictError(`a group named ${name} exists`);
  return toView(row, 0);
}

/** Contacts whose JSON shows the group's name: members and those waiting to join it. */
async function contactsShowing(db: DB, groupId: number): Promise<number[]> {
  const [members, pending] = await Promise.all([
    db.selectFrom('contact_groups').select('contact_id').where('group_id', '=', groupId).execute(),
    db.selectFrom('pending_groups').select('contact_id').where('group_id', '=', groupId).execute(),
  ]);
  return [...new Set([...members, ...pending].map((r) => r.contact_id))];
}

async function touchInChunks(db: DB, ids: number[], now: number): Promise<void> {
  for (let i = 0; i < ids.length; i += CHUNK) await touchContacts(db, ids.slice(i, i + CHUNK), now);
}

/**
 * Renames a group: its members' JSON changes (they are stamped for the change feed), and forms
 * that list the old name are changed to the new one, so they keep filling this group. Workflow
 * files name groups too and are not rewritten: a step naming the old name creates a new group.
 * Run it in a transaction.
 */
export async function renameGroup(
  db: DB,
  id: number,
  name: string,
  now: number,
): Promise<GroupView> {
  const row = await findGroupRow(db, id);
  if (row.name === name) return viewOf(db, row);
  const taken = await db
    .selectFrom('groups')
    .select('id')
    .where('name', '=', name)
    .executeTakeFirst();
  if (taken) throw new ConflictError(`a group named ${name} exists (id ${taken.id})`);
  try {
    await db.updateTable('groups').set({ name }).where('id', '=', id).execute();
  } catch (err) {
    // Another transaction took the name between the look and the write.
    if (dialectOf(db).isUniqueViolation(err))
      throw new ConflictError(`a group named ${name} exists`, { cause: err });
    throw err;
  }
  await touchInChunks(db, await contactsShowing(db, id), now);
  await renameGroupInForms(db, row.name, name, now);
  return viewOf(db, { ...row, name });
}

/**
 * Deletes a group: its memberships and pending memberships go, and every contact that showed it
 * is stamped for the change feed. Forms keep listing the name: the next subscribe through such a
 * form creates a new, empty group of that name. Run it in a transaction.
 */
export async function deleteGroup(db: DB, id: number, now: number): Promise<void> {
  await findGroupRow(db, id);
  const showing = await contactsShowing(db, id);
  const detached = new Set(await emptyLabel(db, 'group', id, now));
  await touchInChunks(
    db,
    showing.filter((contactId) => !detached.has(contactId)),
    now,
  );
  // pending_groups rows go with the group (on delete cascade).
  await db.deleteFrom('groups').where('id', '=', id).execute();
}
