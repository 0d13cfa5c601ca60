// Groups and tags: named labels on contacts, one module for both kinds (the only writer of their tables).
import type { Kysely } from 'kysely';
import type { DB } from '../../db/open-database.ts';
import { holes, runShape, shapeText } from '../../db/statement-shapes.ts';
import { touchContacts } from '../store/contact-rows.ts';

export type LabelKind = 'group' | 'tag';

/** Where each kind lives; both have `(id, name unique, created_at)` and a membership table. */
const tables = {
  group: { labels: 'groups', members: 'contact_groups', labelId: 'group_id' },
  tag: { labels: 'tags', members: 'contact_tags', labelId: 'tag_id' },
} as const;

export interface Label {
  id: number;
  name: string;
}

// Kysely cannot type a table chosen at run time; the queries below only touch the shared columns.
// biome-ignore lint/suspicious/noExplicitAny: the table is chosen at run time (see above)
const anyDb = (db: DB) => db as unknown as Kysely<any>;

/** Trimmed, blanks dropped, each name once. */
export const cleanLabelNames = (names: string[]) => [
  ...new Set(names.map((n) => n.trim()).filter(Boolean)),
];

/**
 * The labels with these names, creating those that do not exist yet. They nearly always exist (a
 * form's groups, on every subscribe): looked up first, so that case costs one statement, not two.
 */
export async function ensureLabels(
  db: DB,
  kind: LabelKind,
  names: string[],
  now: number,
): Promise<Label[]> {
  const unique = cleanLabelNames(names);
  if (unique.length === 0) return [];
  const found = await findLabels(db, kind, unique);
  if (found.length === unique.length) return found;
  const known = new Set(found.map((label) => label.name));
  await anyDb(db)
    .insertInto(tables[kind].labels)
    .values(unique.filter((name) => !known.has(name)).map((name) => ({ name, created_at: now })))
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  return findLabels(db, kind, unique);
}

/** The ids among `ids` that name no label of the kind, in the order given. */
export async function missingLabelIds(db: DB, kind: LabelKind, ids: number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const found = (await anyDb(db)
    .selectFrom(tables[kind].labels)
    .select('id')
    .where('id', 'in', ids)
    .execute()) as { id: number }[];
  const known = new Set(found.map((g) => Number(g.id)));
  return ids.filter((id) => !known.has(id));
}

/** The existing labels among these names (unknown names are left out). */
export async function findLabels(db: DB, kind: LabelKind, names: string[]): Promise<Label[]> {
  const unique = cleanLabelNames(names);
  if (unique.length === 0) return [];
  return anyDb(db)
    .selectFrom(tables[kind].labels)
    .select(['id', 'name'])
    .where('name', 'in', unique)
    .execute() as Promise<Label[]>;
}

/**
 * Contacts written earlier in the same transaction already carry its change stamp (an import's
 * chunk): stamping them again would only cost a second write of each row.
 */
export interface StampOptions {
  stamped?: ReadonlySet<number>;
}

/**
 * Stamps the contacts behind changed membership rows in the change feed (once each, in chunks: a
 * label may have more members than one statement may bind) and returns their ids.
 */
async function stampChanged(
  db: DB,
  rows: { contact_id: number }[],
  now: number,
  opts: StampOptions = {},
): Promise<number[]> {
  const changed = [...new Set(rows.map((r) => r.contact_id))];
  const toStamp = opts.stamped ? changed.filter((id) => !opts.stamped?.has(id)) : changed;
  for (let i = 0; i < toStamp.length; i += 1000)
    await touchContacts(db, toStamp.slice(i, i + 1000), now);
  return changed;
}

/** Adds each contact to each label by id; returns the contacts whose labels changed. */
export async function addLabelIds(
  db: DB,
  kind: LabelKind,
  contactIds: number[],
  labelIds: number[],
  now: number,
  opts: StampOptions = {},
): Promise<number[]> {
  if (contactIds.length === 0 || labelIds.length === 0) return [];
  const t = tables[kind];
  const values: unknown[] = [];
  for (const contactId of contactIds)
    for (const labelId of labelIds) values.push(contactId, labelId, now);
  const added: { contact_id: number }[] = [];
  // Three values a row, 1,000 rows a statement: far below SQLite's limit on bound parameters. The
  // text is compiled once per row count (an import adds 1,000 contacts a chunk).
  for (let i = 0; i < values.length; i += 3000) {
    const slice = values.slice(i, i + 3000);
    const text = shapeText(db, `members:${kind}:${slice.length / 3}`, () =>
      anyDb(db)
        .insertInto(t.members)
        .values(
          holes(slice.length / 3).map(() => ({
            contact_id: null,
            [t.labelId]: null,
            created_at: null,
          })),
        )
        .onConflict((oc) => oc.columns(['contact_id', t.labelId]).doNothing())
        .returning('contact_id')
        .compile(),
    );
    added.push(...(await runShape<{ contact_id: number }>(db, text, slice)).rows);
  }
  return stampChanged(db, added, now, opts);
}

/** Adds contacts to the named labels, creating labels that do not exist yet. */
export async function addLabels(
  db: DB,
  kind: LabelKind,
  contactIds: number[],
  names: string[],
  now: number,
): Promise<number[]> {
  const labels = await ensureLabels(db, kind, names, now);
  return addLabelIds(
    db,
    kind,
    contactIds,
    labels.map((l) => l.id),
    now,
  );
}

/**
 * Removes contacts from labels by id; `labelIds: 'all'` removes them from every label of the
 * kind, `{ except }` from every label but those. Returns the contacts whose labels changed.
 */
export async function removeLabelIds(
  db: DB,
  kind: LabelKind,
  contactIds: number[],
  labelIds: number[] | 'all' | { except: number[] },
  now: number,
  opts: StampOptions = {},
): Promise<number[]> {
  if (contactIds.length === 0 || (Array.isArray(labelIds) && labelIds.length === 0)) return [];
  const t = tables[kind];
  let query = anyDb(db).deleteFrom(t.members).where('contact_id', 'in', contactIds);
  if (Array.isArray(labelIds)) query = query.where(t.labelId, 'in', labelIds);
  else if (labelIds !== 'all' && labelIds.except.length > 0)
    query = query.where(t.labelId, 'not in', labelIds.except);
  const removed = (await query.returning('contact_id').execute()) as { contact_id: number }[];
  return stampChanged(db, removed, now, opts);
}

/**
 * Removes every member of one label (detach-all, deleting a group); returns the contacts whose
 * labels changed.
 */
export async function emptyLabel(
  db: DB,
  kind: LabelKind,
  labelId: number,
  now: number,
): Promise<number[]> {
  const t = tables[kind];
  const removed = (await anyDb(db)
    .deleteFrom(t.members)
    .where(t.labelId, '=', labelId)
    .returning('contact_id')
    .execute()) as { contact_id: number }[];
  return stampChanged(db, removed, now);
}

/** Removes contacts from the named labels; unknown names are ignored. */
export async function removeLabels(
  db: DB,
  kind: LabelKind,
  contactIds: number[],
  names: string[],
  now: number,
): Promise<number[]> {
  const labels = await findLabels(db, kind, names);
  return removeLabelIds(
    db,
    kind,
    contactIds,
    labels.map((l) => l.id),
    now,
  );
}

/** Each contact's label names, sorted; contacts without any are absent from the map. */
export async function labelNamesOf(
  db: DB,
  kind: LabelKind,
  contactIds: number[],
): Promise<Map<number, string[]>> {
  const byContact = new Map<number, string[]>();
  if (contactIds.length === 0) return byContact;
  const t = tables[kind];
  const rows = (await anyDb(db)
    .selectFrom(t.members as string)
    .innerJoin(t.labels, `${t.labels}.id`, `${t.members}.${t.labelId}`)
    .select([`${t.members}.contact_id as contactId`, `${t.labels}.name as name`])
    .where(`${t.members}.contact_id`, 'in', contactIds)
    .orderBy(`${t.labels}.name`)
    .execute()) as { contactId: number; name: string }[];
  for (const row of rows) {
    const names = byContact.get(row.contactId) ?? [];
    names.push(row.name);
    byContact.set(row.contactId, names);
  }
  return byContact;
}
