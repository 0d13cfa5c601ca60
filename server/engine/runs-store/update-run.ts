// The runtime's writes to a claimed run: every one checks the lease and that the run is still active.
import type { DB } from '../../db/open-database.ts';
import type { RunRow, RunStatus } from '../../db/schema.ts';
import { runShape, shapeText } from '../../db/statement-shapes.ts';

/** The run was cancelled, or its lease expired and another worker claimed it: leave it alone. */
export class LeaseLost extends Error {
  override name = 'LeaseLost';
}

/**
 * UPDATE workflow_runs SET pc, state, status, waiting_for, due_at, locked_until, error, finished_at,
 *   updated_at = now
 * WHERE id = run AND locked_until = lease AND status IN ('running','waiting') RETURNING *
 * Every column a step may move is written, from `run` with `set` applied: the lease holder's copy
 * is the row as it is, so one text serves every step (compiled once; building and compiling it per
 * step cost more than SQLite spent running it). Throws LeaseLost when no row matched.
 */
export async function updateRun(
  db: DB,
  run: RunRow,
  lease: number,
  set: Partial<Omit<RunRow, 'id'>>,
  now: number,
): Promise<RunRow> {
  const text = shapeText(db, 'update-run', () =>
    db
      .updateTable('workflow_runs')
      .set({
        pc: 0,
        state: '',
        status: 'running',
        waiting_for: null,
        due_at: null,
        locked_until: null,
        error: null,
        finished_at: null,
        updated_at: 0,
      })
      .where('id', '=', 0)
      .where('locked_until', '=', 0)
      // A run cancelled meanwhile (API or cancel_on) stays cancelled.
      .where('status', 'in', ['running', 'waiting'])
      .returningAll()
      .compile(),
  );
  const next = { ...run, ...set };
  const { rows } = await runShape<RunRow>(db, text, [
    next.pc,
    next.state,
    next.status,
    next.waiting_for,
    next.due_at,
    next.locked_until,
    next.error,
    next.finished_at,
    now,
    run.id,
    lease,
    'running',
    'waiting',
  ]);
  const row = rows[0];
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
