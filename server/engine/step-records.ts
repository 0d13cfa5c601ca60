// A step's row as the runtime reads and writes it, and how one step's outcome is committed.
import { backoffMs } from '../background/backoff.ts';
import { addLabels, removeLabels } from '../contacts/labels/labels.ts';
import type { DB } from '../db/open-database.ts';
import type { RunRow, StepRow } from '../db/schema.ts';
import { runShape, shapeText } from '../db/statement-shapes.ts';
import type { Tx } from '../db/unit-of-work.ts';
import type { Instruction, StepInstruction } from './definition/types.ts';
import type { RunState } from './run-scope.ts';
import { finishing } from './runs-store/update-run.ts';
import { PermanentStepError, toStepError } from './step-errors.ts';
import type { LabelChange, StepOutcome } from './step-outcome.ts';
import type { StepVisit } from './step-visit.ts';
import type { StepWriter } from './step-writers.ts';

/**
 * Where a run really is: a `jump` only moves the program counter, so it is followed here and
 * written with the next step's record instead of costing a statement of its own.
 */
export function resolvePc(program: Instruction[], pc: number): number {
  let at = pc;
  for (let hops = 0; hops <= program.length; hops++) {
    const ins = program[at];
    if (ins?.op !== 'jump') return at;
    at = ins.target;
  }
  throw new Error(`jump cycle at pc ${pc}`);
}

/** The visit of `ins` given its stored row (if any); waking up from a wait is not a new attempt. */
export function toVisit(
  run: RunRow,
  ins: StepInstruction,
  row: StepRow | undefined,
  now: number,
): StepVisit {
  return {
    runId: run.id,
    stepId: ins.id,
    op: ins.op,
    iteration: 0,
    status: row?.status ?? 'running',
    attempts:
      (row?.attempts ?? 0) + (row?.status === 'completed' || row?.status === 'waiting' ? 0 : 1),
    output: row?.output ?? null,
    error: row?.error ?? null,
    finishedAt: row?.finished_at ?? null,
    startedAt: row?.started_at ?? now,
  };
}

/** A permanent failure fails the run; a retryable one is retried per the step's policy. */
export function failureOutcome(
  ins: StepInstruction,
  step: StepVisit,
  thrown: unknown,
): StepOutcome {
  const err = toStepError(thrown);
  if (err instanceof PermanentStepError || step.attempts >= ins.retry.attempts)
    return { kind: 'fail', error: err.message };
  const jittered = backoffMs(step.attempts, ins.retry.backoffMs, ins.retry.maxBackoffMs);
  // A receiver's Retry-After is honoured when it asks for more patience than our backoff.
  return { kind: 'retry', error: err.message, delayMs: Math.max(jittered, err.retryAfterMs ?? 0) };
}

/** What a step's write changes; what it leaves out stays as the visit read it. */
export interface StepChange {
  status?: StepRow['status'];
  output?: unknown;
  error?: string | null;
  finished_at?: number;
}

/** The step's row with this visit's state and `change` applied. */
function stepValues(step: StepVisit, change: StepChange) {
  return {
    run_id: step.runId,
    step_id: step.stepId,
    iteration: step.iteration,
    op: step.op,
    started_at: step.startedAt,
    status: change.status ?? step.status,
    attempts: step.attempts,
    output: change.output === undefined ? step.output : JSON.stringify(change.output),
    error: change.error === undefined ? step.error : change.error,
    finished_at: change.finished_at ?? step.finishedAt,
  };
}

/**
 * INSERT INTO workflow_steps (…) VALUES (…) ON CONFLICT (run_id, step_id, iteration)
 * DO UPDATE SET status, attempts, output, error, finished_at = the excluded row's
 * One text for every single write, compiled once; `saveSteps` writes a round's rows together.
 */
export async function saveStep(db: DB, step: StepVisit, change: StepChange): Promise<void> {
  const text = shapeText(db, 'save-step', () =>
    upsertSteps(db, [stepValues(step, change)]).compile(),
  );
  await runShape(db, text, Object.values(stepValues(step, change)));
}

/** `saveStep` for many steps in one statement. */
export async function saveSteps(
  db: DB,
  writes: { step: StepVisit; change: StepChange }[],
): Promise<void> {
  if (writes.length === 0) return;
  const rows = writes.map((w) => stepValues(w.step, w.change));
  const text = shapeText(db, `save-steps:${rows.length}`, () => upsertSteps(db, rows).compile());
  await runShape(
    db,
    text,
    rows.flatMap((row) => Object.values(row)),
  );
}

function upsertSteps(db: DB, rows: ReturnType<typeof stepValues>[]) {
  return db
    .insertInto('workflow_steps')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['run_id', 'step_id', 'iteration']).doUpdateSet((eb) => ({
        status: eb.ref('excluded.status'),
        attempts: eb.ref('excluded.attempts'),
        output: eb.ref('excluded.output'),
        error: eb.ref('excluded.error'),
        finished_at: eb.ref('excluded.finished_at'),
      })),
    );
}

/** Applies one label change to the contacts of every run that asked for it. */
export async function applyLabels(
  db: DB,
  change: LabelChange,
  contactIds: number[],
  now: number,
): Promise<void> {
  await (change.add ? addLabels : removeLabels)(db, change.kind, contactIds, change.names, now);
}

/** One executed step of a claimed run, ready to be recorded. */
export interface StepResult {
  run: RunRow;
  lease: number;
  program: Instruction[];
  ins: StepInstruction;
  step: StepVisit;
  state: RunState;
  outcome: StepOutcome;
  /** When the step executed: a sleep or a retry counts from then. */
  at: number;
  /** Its label change was already applied, with those of other runs (advance-batch.ts). */
  labelsApplied?: boolean;
}

/**
 * Records a step's outcome in `tx`: its effects, the run's next position and its row (through
 * `writer`, in that order: deleting a contact cancels its runs, then erases their steps, so the two
 * never wait for each other), finishing the run in the same write when the program ends there.
 * Returns the run when it goes on, undefined when it sleeps, retries later or ended. Throws
 * LeaseLost (a direct writer), or what an effect threw.
 */
export async function recordOutcome(
  tx: Tx,
  writer: StepWriter,
  now: () => number,
  result: StepResult,
): Promise<RunRow | undefined> {
  const { run, lease, program, ins, step, state, outcome, at: executedAt, labelsApplied } = result;
  const trx = tx.db;
  if (outcome.kind === 'sleep' && outcome.recheck) {
    const instead = await outcome.recheck(tx);
    if (instead) return recordOutcome(tx, writer, now, { ...result, outcome: instead });
  }
  switch (outcome.kind) {
    case 'done': {
      if (outcome.labels && !labelsApplied && run.contact_id !== null)
        await applyLabels(trx, outcome.labels, [run.contact_id], executedAt);
      const produced = outcome.effects ? await outcome.effects(tx) : undefined;
      const output = produced === undefined ? outcome.output : produced;
      const at = now();
      const completed: StepChange = { status: 'completed', output, error: null, finished_at: at };
      const nextState: RunState = {
        steps: { ...state.steps, [ins.id]: output },
        eventCursor: outcome.eventCursor ?? state.eventCursor,
      };
      const pc = resolvePc(program, outcome.nextPc ?? run.pc + 1);
      const moved = { pc, state: JSON.stringify(nextState), waiting_for: null };
      if (pc >= program.length) {
        await writer.updateRun(
          run,
          lease,
          finishing({ status: 'completed', error: null, ...moved }, at),
          at,
        );
        await writer.saveStep(step, completed);
        return undefined;
      }
      const goingOn = await writer.updateRun(run, lease, { ...moved, status: 'running' }, at);
      await writer.saveStep(step, completed);
      return goingOn;
    }
    case 'sleep':
      await writer.updateRun(
        run,
        lease,
        {
          status: 'waiting',
          due_at: outcome.until,
          waiting_for: outcome.waitingFor ?? null,
          locked_until: null,
        },
        executedAt,
      );
      await writer.saveStep(step, { status: 'waiting', output: outcome.output, error: null });
      return undefined;
    case 'retry':
      await writer.updateRun(
        run,
        lease,
        { due_at: executedAt + outcome.delayMs, locked_until: null },
        executedAt,
      );
      await writer.saveStep(step, { error: outcome.error });
      return undefined;
    case 'fail': {
      const at = now();
      await writer.updateRun(
        run,
        lease,
        finishing({ status: 'failed', error: `${ins.id}: ${outcome.error}` }, at),
        at,
      );
      await writer.saveStep(step, { status: 'failed', error: outcome.error, finished_at: at });
      return undefined;
    }
    case 'end': {
      const at = now();
      await writer.updateRun(run, lease, finishing({ status: 'completed', error: null }, at), at);
      await writer.saveStep(step, { status: 'completed', output: outcome.output, finished_at: at });
      return undefined;
    }
  }
}
