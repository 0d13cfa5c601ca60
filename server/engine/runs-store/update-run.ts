// The runtime's writes to a claimed run: every one checks the lease and that the run is still active.
import type { DB } from '../../db/open-database.ts';
import type { RunRow, RunStatus } from '../../db/schema.ts';

/** The run was cancelled, or its lease expired and another worker claimed it: leave it alone. */
export class LeaseLost extends Error {
  override name = 'LeaseLost';
}

/**
 * UPDATE workflow_runs SET …, updated_at = now
 * WHERE id = run AND locked_until = lease AND status IN ('running','waiting') RETURNING *
 * Throws LeaseLost when no row matched; otherwise nothing changes.
 */
export async function updateRun(
  db: DB,
  run: RunRow,
  lease: number,
  set: Partial<Omit<RunRow, 'id'>>,
  now: number,
): Promise<RunRow> {
  const row = await db
    .updateTable('workflow_runs')
    .set({ ...set, updated_at: now })
    .where('id', '=', run.id)
    .where('locked_until', '=', lease)
    // A run cancelled meanwhile (API or cancel_on) stays cancelled.
    .where('status', 'in', ['running', 'waiting'])
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new LeaseLost();
  return row;
}

/** Ends a claimed run (completed or failed) and releases it; `outcome` may move it too (pc, state). */
export async function finishRun(
  db: DB,
  run: RunRow,
  lease: number,
  outcome: { status: RunStatus; error: string | null } & Partial<Omit<RunRow, 'id'>>,
  now: number,
): Promise<void> {
  await updateRun(
    db,
    run,
    lease,
    { ...outcome, finished_at: now, due_at: null, locked_until: null, waiting_for: null },
    now,
  );
}
