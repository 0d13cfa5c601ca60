// An import session as the API shows it: counts, status and a page of its failed rows.
import type { DB } from '../db/open-database.ts';
import { NotFoundError } from '../errors.ts';
import type { ImportView } from './http/import-schemas.ts';
import { listFailures } from './store/import-failures.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * The import with id `id`; a NotFoundError when there is none. An upload still storing its rows
 * shows as `queued`.
 * @example await getImportView(db, 12, { limit: 1000 })
 */
export async function getImportView(
  db: DB,
  id: number,
  failures: { after?: number; limit: number },
): Promise<ImportView> {
  const row = await db.selectFrom('imports').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError(`no import with id ${id}`);
  const failed = failures.limit > 0 ? await listFailures(db, id, failures) : [];
  return {
    id: row.id,
    kind: row.kind,
    status: row.status === 'receiving' ? 'queued' : row.status,
    total: row.total,
    processed: row.processed,
    created: row.created,
    updated: row.updated,
    skipped: row.skipped,
    failed: row.failed,
    error: row.status === 'failed' ? row.error : null,
    failedContacts: failed.map((f) => ({ index: f.index, reason: f.reason, contact: f.row })),
    createdAt: iso(row.created_at) as string,
    updatedAt: iso(row.updated_at) as string,
    finishedAt: iso(row.finished_at),
  };
}
