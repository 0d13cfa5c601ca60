// Reading one contact as its JSON view.
import type { DB } from '../db/open-database.ts';
import { NotFoundError } from '../errors.ts';
import { type ContactView, loadContactView } from './contact-view.ts';
import { findContactById } from './store/contact-rows.ts';

export async function getContact(db: DB, id: number): Promise<ContactView> {
  const row = await findContactById(db, id);
  if (!row) throw new NotFoundError(`contact ${id} not found`);
  return loadContactView(db, row);
}
