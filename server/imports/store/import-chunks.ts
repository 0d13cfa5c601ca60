// The only writer of `import_chunks`: an import's rows still to do, stored so any process can resume.
import type { DB } from '../../db/open-database.ts';

export interface StoredChunk {
  firstIndex: number;
  rows: unknown[];
}

/** Stores rows `firstIndex ..` of an import as one chunk. */
export async function storeChunk(
  db: DB,
  importId: number,
  firstIndex: number,
  rows: unknown[],
): Promise<void> {
  await db
    .insertInto('import_chunks')
    .values({
      import_id: importId,
      first_index: firstIndex,
      row_count: rows.length,
      rows: JSON.stringify(rows),
    })
    .execute();
}

/** The chunk that starts at the session's offset; `undefined` once every row is imported. */
export async function chunkAt(
  db: DB,
  importId: number,
  offset: number,
): Promise<StoredChunk | undefined> {
  const row = await db
    .selectFrom('import_chunks')
    .select(['first_index', 'rows'])
    .where('import_id', '=', importId)
    .where('first_index', '=', offset)
    .executeTakeFirst();
  return row && { firstIndex: row.first_index, rows: JSON.parse(row.rows) as unknown[] };
}

/** Drops a chunk in the transaction that imported it. */
export async function dropChunk(db: DB, importId: number, firstIndex: number): Promise<void> {
  await db
    .deleteFrom('import_chunks')
    .where('import_id', '=', importId)
    .where('first_index', '=', firstIndex)
    .execute();
}

/** Drops every chunk of an import (it failed for good, or its upload was abandoned). */
export async function dropChunks(db: DB, importIds: number[]): Promise<void> {
  if (importIds.length === 0) return;
  await db.deleteFrom('import_chunks').where('import_id', 'in', importIds).execute();
}
