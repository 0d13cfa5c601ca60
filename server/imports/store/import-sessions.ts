// The only writer of `imports`: creating a session, claiming it with a lease, advancing its offset.
import { releaseClaimedRows } from '../../db/claimed-rows.ts';
import type { DialectCapabilities } from '../../db/dialect.ts';
import type { DB } from '../../db/open-database.ts';
import type { ImportKind, ImportRow, ImportStatus } from '../../db/schema.ts';

/** The session was released (its worker was presumed dead) or finished meanwhile: leave it alone. */
export class ImportLeaseLost extends Error {
  override name = 'ImportLeaseLost';
}

/** What one imported chunk adds to a session's counts. */
export interface ChunkCounts {
  created: number;
  updated: number;
  skipped: number;
  failed: number;
}

export interface NewImport {
  kind: ImportKind;
  status: Extract<ImportStatus, 'receiving' | 'queued' | 'running'>;
  options: object;
  source: string;
  total: number;
  /** A session that starts `running` is held by this worker from the start (`?sync=true`). */
  holder?: { workerId: string; until: number };
}

export async function createImport(db: DB, input: NewImport, now: number): Promise<ImportRow> {
  return db
    .insertInto('imports')
    .values({
      kind: input.kind,
      status: input.status,
      options: JSON.stringify(input.options),
      source: input.source,
      total: input.total,
      locked_by: input.holder?.workerId ?? null,
      locked_until: input.holder?.until ?? null,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** An upload's rows are all stored: the session becomes claimable. */
export async function markReceived(db: DB, id: number, total: number, now: number): Promise<void> {
  await db
    .updateTable('imports')
    .set({ status: 'queued', total, updated_at: now })
    .where('id', '=', id)
    .where('status', '=', 'receiving')
    .execute();
}

/** Keeps an upload that is still storing rows from looking abandoned. */
export async function touchReceiving(db: DB, id: number, now: number): Promise<void> {
  await db.updateTable('imports').set({ updated_at: now }).where('id', '=', id).execute();
}

/**
 * UPDATE imports SET status = 'running', locked_until = now + lease, locked_by = worker
 * WHERE id = (SELECT id FROM imports WHERE status IN ('queued','running')
 *             AND (locked_until IS NULL OR locked_until <= now) ORDER BY id LIMIT 1
 *             [FOR UPDATE SKIP LOCKED])
 * RETURNING *
 */
export async function claimImport(
  db: DB,
  dialect: DialectCapabilities,
  opts: { now: number; leaseMs: number; workerId: string },
): Promise<ImportRow | undefined> {
  const due = dialect.lockForClaim(
    db
      .selectFrom('imports')
      .select('id')
      .where('finished_at', 'is', null)
      .where('status', 'in', ['queued', 'running'])
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', opts.now)]))
      .orderBy('id')
      .limit(1),
  );
  return db
    .updateTable('imports')
    .set({
      status: 'running',
      locked_until: opts.now + opts.leaseMs,
      locked_by: opts.workerId,
      updated_at: opts.now,
    })
    .where('id', 'in', due)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Proves, first in a chunk's transaction, that this worker still holds the session at `offset`, and
 * renews its lease. On PostgreSQL the row lock it takes makes a rival wait until this transaction
 * ends, and then miss: a chunk is never imported twice. Throws ImportLeaseLost otherwise.
 */
export async function holdImportAt(
  db: DB,
  session: { id: number; workerId: string },
  offset: number,
  leaseUntil: number,
  now: number,
): Promise<void> {
  const result = await db
    .updateTable('imports')
    .set({ locked_until: leaseUntil, updated_at: now })
    .where('id', '=', session.id)
    .where('processed', '=', offset)
    .where('locked_by', '=', session.workerId)
    .where('status', '=', 'running')
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) throw new ImportLeaseLost();
}

/** Moves the offset past an imported chunk and adds its counts (after `holdImportAt`, same transaction). */
export async function recordChunk(
  db: DB,
  id: number,
  step: { offset: number; counts: ChunkCounts },
): Promise<void> {
  const { counts } = step;
  await db
    .updateTable('imports')
    .set((eb) => ({
      processed: step.offset,
      created: eb('created', '+', counts.created),
      updated: eb('updated', '+', counts.updated),
      skipped: eb('skipped', '+', counts.skipped),
      failed: eb('failed', '+', counts.failed),
      attempts: 0,
      error: null,
    }))
    .where('id', '=', id)
    .execute();
}

/** Ends a session this worker holds: `done`, or `failed` with the reason. */
export async function finishImport(
  db: DB,
  session: { id: number; workerId: string },
  outcome: { status: 'done' | 'failed'; error?: string },
  now: number,
): Promise<void> {
  await db
    .updateTable('imports')
    .set({
      status: outcome.status,
      error: outcome.error ?? null,
      finished_at: now,
      updated_at: now,
      locked_until: null,
      locked_by: null,
    })
    .where('id', '=', session.id)
    .where('locked_by', '=', session.workerId)
    .execute();
}

/**
 * A chunk could not be imported (not a row: the chunk's transaction failed). The session is let
 * go until `retryAt` (its lease is kept that long) and the attempt counted; returns the count.
 */
export async function recordChunkFailure(
  db: DB,
  session: { id: number; workerId: string },
  error: string,
  retryAt: number,
  now: number,
): Promise<number> {
  const row = await db
    .updateTable('imports')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      error,
      locked_until: retryAt,
      locked_by: null,
      updated_at: now,
    }))
    .where('id', '=', session.id)
    .where('locked_by', '=', session.workerId)
    .returning('attempts')
    .executeTakeFirst();
  return row?.attempts ?? 0;
}

/** A session whose chunks keep failing: `failed`, whoever holds it. */
export async function failImport(db: DB, id: number, error: string, now: number): Promise<void> {
  await db
    .updateTable('imports')
    .set({
      status: 'failed',
      error,
      finished_at: now,
      updated_at: now,
      locked_until: null,
      locked_by: null,
    })
    .where('id', '=', id)
    .where('finished_at', 'is', null)
    .execute();
}

/** Uploads whose process died while storing rows: failed, their stored rows dropped. */
export async function failAbandonedUploads(db: DB, before: number, now: number): Promise<number[]> {
  const rows = await db
    .updateTable('imports')
    .set({
      status: 'failed',
      error: 'the upload was interrupted before all rows were stored; send the file again',
      finished_at: now,
      updated_at: now,
    })
    .where('status', '=', 'receiving')
    .where('updated_at', '<', before)
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/** Deletes a session and what belongs to it (an upload that failed before it was answered). */
export async function deleteImport(db: DB, id: number): Promise<void> {
  await db.deleteFrom('imports').where('id', '=', id).execute();
}

/** Frees the sessions a dead (or stopping) worker held; the next claim resumes at their offset. */
export function releaseImports(
  db: DB,
  holders: Parameters<typeof releaseClaimedRows>[2],
): Promise<number> {
  return releaseClaimedRows(db, 'imports', holders);
}
