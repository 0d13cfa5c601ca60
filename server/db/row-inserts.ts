// One-row inserts compiled once per shape: building an insert through Kysely cost more CPU than
// SQLite spent running it (~100 µs for the outbox's 14 columns, on every subscribe).
import type { Insertable, Kysely, RawBuilder } from 'kysely';
import type { Database } from './schema.ts';
import { runShape, shapeText } from './statement-shapes.ts';

export interface InsertRowOptions {
  /** Columns set by SQL without parameters (a change stamp), after the row's own values. */
  computed?: Record<string, RawBuilder<unknown>>;
  /**
   * `on conflict (columns) do nothing`, or with `true` on any unique constraint: no row is
   * returned when it conflicts.
   */
  ignoreConflictOn?: string | readonly string[] | true;
  /** Columns to return, or `*`. */
  returning?: readonly string[] | '*';
}

/**
 * Inserts `row` (its keys name the columns, so the text depends only on which keys are given) and
 * returns the `returning` columns of the row written, or `undefined` (nothing asked, or a conflict
 * ignored).
 * @example await insertRow(db, 'consents', { contact_id: 7, kind: 'subscribe', ... })
 */
export async function insertRow<T extends keyof Database & string, R = Record<string, unknown>>(
  db: Kysely<Database>,
  table: T,
  row: Insertable<Database[T]>,
  opts: InsertRowOptions = {},
): Promise<R | undefined> {
  // Kysely leaves out a column given `undefined`; so does this.
  const given = Object.entries(row).filter(([, value]) => value !== undefined);
  const columns = given.map(([column]) => column);
  const computed = opts.computed ?? {};
  const returning = opts.returning ?? [];
  const shape = `insert:${table}:${columns}:${Object.keys(computed)}:${opts.ignoreConflictOn}:${returning}`;
  const text = shapeText(db, shape, () => {
    // Kysely cannot type columns chosen at run time; they are the row's own keys, typed above.
    let query = (db as Kysely<any>)
      .insertInto(table)
      .values({ ...Object.fromEntries(columns.map((c) => [c, null])), ...computed });
    const conflict = opts.ignoreConflictOn;
    if (conflict === true) query = query.onConflict((oc) => oc.doNothing());
    else if (conflict) query = query.onConflict((oc) => oc.columns([conflict].flat()).doNothing());
    if (returning === '*') return query.returningAll().compile();
    return (returning.length > 0 ? query.returning(returning) : query).compile();
  });
  const { rows } = await runShape<R>(
    db,
    text,
    given.map(([, value]) => value),
  );
  return rows[0];
}
