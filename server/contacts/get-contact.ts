// Reading one contact with its groups.
import type { DB } from '../db/open-database.ts';
import { NotFoundError } from '../errors.ts';
import { type ContactView, toContactView } from './contact-view.ts';
import { groupNamesOf } from './groups.ts';

export async function getContact(db: DB, id: number): Promise<ContactView> {
  const row = await db.selectFrom('contacts').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError(`contact ${id} not found`);
  return toContactView(row, await groupNamesOf(db, id));
}
