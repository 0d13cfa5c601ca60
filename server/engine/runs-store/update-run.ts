// The runtime's writes to a claimed run: every one checks the lease and that the run is still active.
import { sql } from 'kysely';
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

/** What ending a claimed run (completed or failed) writes: `outcome`, finished and released. */
export function finishing(
  outcome: { status: RunStatus; error: string | null } & Partial<Omit<RunRow, 'id'>>,
  now: number,
): Partial<Omit<RunRow, 'id'>> {
  return { ...outcome, finished_at: now, due_at: null, locked_until: null, waiting_for: null };
}

/** Ends a claimed run (completed or failed) and releases it; `outcome` may move it too (pc, state). */
export async function finishRun(
  db: DB,
  run: RunRow,
  lease: number,
  outcome: { status: RunStatus; error: string | null } & Partial<Omit<RunRow, 'id'>>,
  now: number,
): Promise<void> {
  await updateRun(db, run, lease, finishing(outcome, now), now);
}

/** One run's write in a batch: `set` applied to the lease holder's copy, at `now`. */
export interface RunMove {
  run: RunRow;
  lease: number;
  set: Partial<Omit<RunRow, 'id'>>;
  now: number;
}

/** The columns updateRun writes, with the SQL type a parameter is cast to inside a CASE. */
const MOVED: [keyof RunRow, string][] = [
  ['pc', 'integer'],
  ['state', 'text'],
  ['status', 'text'],
  ['waiting_for', 'text'],
  ['due_at', 'bigint'],
  ['locked_until', 'bigint'],
  ['error', 'text'],
  ['finished_at', 'bigint'],
  ['updated_at', 'bigint'],
];

/**
 * updateRun for many runs in one statement (a round's writes; one round trip instead of one each):
 * UPDATE workflow_runs SET pc = CASE id WHEN 7 THEN cast(3 as integer) … END, …
 * WHERE id IN (7, …) AND locked_until = CASE id WHEN 7 THEN <lease> … END AND status IN (…)
 * Throws LeaseLost unless every run matched; returns the rows as written, in `moves`' order.
 */
export async function updateRuns(db: DB, moves: RunMove[]): Promise<RunRow[]> {
  if (moves.length === 0) return [];
  const next = moves.map((m) => ({ ...m.run, ...m.set, updated_at: m.now }));
  const cases = (value: (row: RunRow, i: number) => unknown, type?: string) =>
    sql<number | null>`case id ${sql.join(
      next.map((row, i) =>
        type
          ? sql`when ${row.id} then cast(${value(row, i)} as ${sql.raw(type)})`
          : sql`when ${row.id} then ${value(row, i)}`,
      ),
      sql` `,
    )} end`;
  const set = Object.fromEntries(
    MOVED.map(([column, type]) => [column, cases((row) => row[column], type)]),
  );
  const matched = await db
    .updateTable('workflow_runs')
    .set(set)
    .where(
      'id',
      'in',
      next.map((row) => row.id),
    )
    .where(
      'locked_until',
      '=',
      cases((_, i) => (moves[i] as RunMove).lease, 'bigint'),
    )
    .where('status', 'in', ['running', 'waiting'])
    .returning('id')
    .execute();
  if (matched.length !== moves.length) throw new LeaseLost();
  return next;
}
