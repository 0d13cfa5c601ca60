// Reading one contact with its groups.
import type { DB } from '../db/open-database.ts';
import { NotFoundError } from '../errors.ts';
import { type ContactView, toContactView } from './contact-view.ts';
import { groupNamesOf } from './groups.ts';
import { pendingGroupNamesOf } from './pending-groups.ts';

export async function getContact(db: DB, id: number): Promise<ContactView> {
  const row = await db.selectFrom('contacts').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError(`contact ${id} not found`);
  const [groups, pendingGroups] = await Promise.all([
    groupNamesOf(db, id),
    pendingGroupNamesOf(db, id),
  ]);
  return toContactView(row, { groups, pendingGroups });
}
