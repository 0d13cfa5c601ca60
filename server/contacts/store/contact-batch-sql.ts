// Hot SQL of the contacts store's batch verbs: each statement compiled once per shape, then run with
// a flat list of values (db/statement-shapes.ts).
import { sql } from 'kysely';
import { dialectOf } from '../../db/dialect.ts';
import type { DB } from '../../db/open-database.ts';
import type { ContactRow } from '../../db/schema.ts';
import { holes, runShape, shapeText } from '../../db/statement-shapes.ts';
import type { IdentityColumn } from './contact-rows.ts';

/** The columns both batch writes set from a contact's data and status. */
const DATA_COLUMNS = [
  'email',
  'phone',
  'phone_meta',
  'external_id',
  'first_name',
  'last_name',
  'address',
  'fields',
  'status',
  'email_confirmed_at',
  'unsubscribed_at',
] as const;

/** The columns of a batch insert's rows, in order. */
export const INSERTED = [
  ...DATA_COLUMNS,
  'source',
  'created_at',
  'updated_at',
  'change_seq',
] as const;

/** The columns a batch update writes back, in order, after the id. */
export const WRITTEN = [...DATA_COLUMNS, 'deleted_at', 'status_before_delete'] as const;
const NUMERIC = new Set<string>(['email_confirmed_at', 'unsubscribed_at', 'deleted_at']);

export type Identities = Pick<ContactRow, 'email' | 'phone' | 'external_id'>;

/**
 * Inserts rows given as one flat list of values, `INSERTED.length` per row in its order; answers
 * the new rows' ids and identities (in no promised order).
 */
export async function insertRows(
  db: DB,
  values: unknown[],
): Promise<(Identities & { id: number })[]> {
  const count = values.length / INSERTED.length;
  const text = shapeText(db, `insert:${count}`, () => {
    const row = sql`(${sql.join(holes(INSERTED.length))})`;
    return sql`insert into contacts (${sql.join(INSERTED.map((c) => sql.ref(c)))})
      values ${sql.join(new Array(count).fill(row))}
      returning id, email, phone, external_id`.compile(db);
  });
  return (await runShape<Identities & { id: number }>(db, text, values)).rows;
}

/**
 * Writes rows back given as one flat list of values, the id and then `WRITTEN` per row, with the
 * change stamp and time every row of the batch shares.
 */
export async function updateRows(
  db: DB,
  values: unknown[],
  stamp: number,
  now: number,
): Promise<void> {
  const count = values.length / (WRITTEN.length + 1);
  const text = shapeText(db, `update:${count}`, () => {
    const row = sql`(${sql.join([
      sql`cast(${null} as bigint)`,
      ...WRITTEN.map((c) => (NUMERIC.has(c) ? sql`cast(${null} as bigint)` : sql`${null}`)),
    ])})`;
    const set = WRITTEN.map((c, i) => sql`${sql.ref(c)} = v.${sql.raw(`column${i + 2}`)}`);
    return sql`update contacts set ${sql.join(set)}, updated_at = ${null}, change_seq = ${null}
      from (values ${sql.join(new Array(count).fill(row))}) as v
      where contacts.id = v.column1`.compile(db);
  });
  // The shared values come first in the text (the SET list), the rows' after them.
  await runShape(db, text, ([now, stamp] as unknown[]).concat(values));
}

/**
 * The contacts holding any of these values of one identity, by id; on PostgreSQL locked until the
 * transaction ends (they are read to be written back whole).
 */
export async function contactsWith(
  db: DB,
  column: IdentityColumn,
  values: string[],
): Promise<ContactRow[]> {
  const text = shapeText(db, `find:${column}:${values.length}`, () =>
    dialectOf(db)
      .lockForWrite(
        db
          .selectFrom('contacts')
          .selectAll()
          .where(column, 'in', holes(values.length) as never[])
          .orderBy('id'),
      )
      .compile(),
  );
  return (await runShape<ContactRow>(db, text, values)).rows;
}

/** The ids of the contacts holding any of these values of one identity, with the value. */
export async function ownersOf(
  db: DB,
  column: IdentityColumn,
  values: string[],
): Promise<{ id: number; value: string }[]> {
  const text = shapeText(db, `owners:${column}:${values.length}`, () =>
    db
      .selectFrom('contacts')
      .select(['id', `${column} as value`])
      .where(column, 'in', holes(values.length) as never[])
      .compile(),
  );
  return (await runShape<{ id: number; value: string }>(db, text, values)).rows;
}
