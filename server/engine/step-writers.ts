// Where a step's record goes: straight to the database, or into its round's two batched statements.
import type { DB } from '../db/open-database.ts';
import type { RunRow } from '../db/schema.ts';
import { type RunMove, updateRun, updateRuns } from './runs-store/update-run.ts';
import { type StepChange, saveStep, saveSteps } from './step-records.ts';
import type { StepVisit } from './step-visit.ts';

export interface StepWriter {
  saveStep(step: StepVisit, change: StepChange): Promise<void>;
  /** The run as written (a batch answers it before writing; its flush checks the lease). */
  updateRun(
    run: RunRow,
    lease: number,
    set: Partial<Omit<RunRow, 'id'>>,
    now: number,
  ): Promise<RunRow>;
}

/** One statement per write, checked at once: the single-run path (advance-run.ts). */
export function directWriter(db: DB): StepWriter {
  return {
    saveStep: (step, change) => saveStep(db, step, change),
    updateRun: (run, lease, set, now) => updateRun(db, run, lease, set, now),
  };
}

/**
 * Collects a round's step rows and run moves and writes them as one statement each when the round's
 * effects are done: two round trips for up to 32 runs instead of two per run, which on PostgreSQL
 * was most of a step's cost. A lost lease surfaces at `flush`, failing the round's transaction like
 * a single write would, so its runs go on one by one.
 */
export class RoundWriter implements StepWriter {
  // Keyed by run and by step row: a second write of one replaces the first, as it would when
  // written directly. Twice in one statement, a run's id matched one row (read as a lost lease),
  // and a step's row twice is refused by PostgreSQL's upsert.
  private readonly steps = new Map<string, { step: StepVisit; change: StepChange }>();
  private readonly moves = new Map<number, RunMove>();

  async saveStep(step: StepVisit, change: StepChange): Promise<void> {
    const key = `${step.runId}:${step.stepId}:${step.iteration}`;
    this.steps.set(key, { step, change });
  }

  async updateRun(
    run: RunRow,
    lease: number,
    set: Partial<Omit<RunRow, 'id'>>,
    now: number,
  ): Promise<RunRow> {
    // The lease the database holds until the flush is the first move's.
    const held = this.moves.get(run.id)?.lease ?? lease;
    this.moves.set(run.id, { run, lease: held, set, now });
    return { ...run, ...set, updated_at: now };
  }

  /** The runs first, as deleting a contact cancels its runs before erasing their steps. */
  async flush(db: DB): Promise<void> {
    await updateRuns(db, [...this.moves.values()]);
    await saveSteps(db, [...this.steps.values()]);
  }
}
