// Tags on contacts by name; unknown names become new tags.
import type { DB } from '../db/open-database.ts';

export async function addTags(db: DB, contactId: number, names: string[]): Promise<void> {
  const unique = [...new Set(names.map((n) => n.trim()).filter(Boolean))];
  if (unique.length === 0) return;
  const now = Date.now();
  await db
    .insertInto('tags')
    .values(unique.map((name) => ({ name, created_at: now })))
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const tags = await db.selectFrom('tags').select('id').where('name', 'in', unique).execute();
  await db
    .insertInto('contact_tags')
    .values(tags.map((t) => ({ contact_id: contactId, tag_id: t.id, created_at: now })))
    .onConflict((oc) => oc.columns(['contact_id', 'tag_id']).doNothing())
    .execute();
}

export async function removeTags(db: DB, contactId: number, names: string[]): Promise<void> {
  if (names.length === 0) return;
  await db
    .deleteFrom('contact_tags')
    .where('contact_id', '=', contactId)
    .where('tag_id', 'in', (eb) => eb.selectFrom('tags').select('id').where('name', 'in', names))
    .execute();
}

export async function tagNamesOf(db: DB, contactId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('contact_tags')
    .innerJoin('tags', 'tags.id', 'contact_tags.tag_id')
    .select('tags.name')
    .where('contact_tags.contact_id', '=', contactId)
    .orderBy('tags.name')
    .execute();
  return rows.map((r) => r.name);
}
