// The only writer of `import_failures`: each row that could not be imported, with its reason.
import type { DB } from '../../db/open-database.ts';

export interface RowFailure {
  index: number;
  reason: string;
  /** The row as it was given (a contact object, or a CSV row by column name). */
  row: unknown;
}

/** Stored in the chunk's transaction, so a failure is recorded exactly when its chunk counts. */
export async function recordFailures(
  db: DB,
  importId: number,
  failures: RowFailure[],
): Promise<void> {
  // Four parameters a row: slices stay far below either engine's limit on bound parameters.
  for (let i = 0; i < failures.length; i += 1000) {
    await db
      .insertInto('import_failures')
      .values(
        failures.slice(i, i + 1000).map((f) => ({
          import_id: importId,
          row_index: f.index,
          reason: f.reason,
          row: JSON.stringify(f.row),
        })),
      )
      .execute();
  }
}

/** Failures in row order, after the row index `after` (a cursor), at most `limit`. */
export async function listFailures(
  db: DB,
  importId: number,
  opts: { after?: number; limit: number },
): Promise<RowFailure[]> {
  let query = db
    .selectFrom('import_failures')
    .select(['row_index', 'reason', 'row'])
    .where('import_id', '=', importId);
  if (opts.after !== undefined) query = query.where('row_index', '>', opts.after);
  const rows = await query.orderBy('row_index').limit(opts.limit).execute();
  return rows.map((r) => ({ index: r.row_index, reason: r.reason, row: JSON.parse(r.row) }));
}
