// Moves one claimed run forward, one step per transaction, until it sleeps, ends or loses its lease.

import type { RunRow } from '../db/schema.ts';
import { withTransaction } from '../db/unit-of-work.ts';
import { coerceError } from '../errors.ts';
import type { Instruction, StepInstruction } from './definition/types.ts';
import type { EngineContext } from './engine-context.ts';
import type { RunState } from './run-scope.ts';
import { finishRun, LeaseLost, updateRun } from './runs-store/update-run.ts';
import { bareContext, loadContexts, needsContext } from './step-context.ts';
import type { StepOutcome } from './step-outcome.ts';
import {
  failureOutcome,
  recordOutcome,
  resolvePc,
  type StepResult,
  saveStep,
  toVisit,
} from './step-records.ts';
import { directWriter } from './step-writers.ts';
import { executeStep } from './steps/registry.ts';

/** Steps one claim may take before the run goes back in the queue, so no run starves the others. */
export const STEPS_PER_CLAIM = 50;

/**
 * Advances one run; used for webhooks (whose call must not hold a transaction open for others) and
 * when a batch's transaction failed, so each run's own failure is recorded on its own.
 */
export async function advanceRun(ctx: EngineContext, claimed: RunRow): Promise<void> {
  let run = claimed;
  const lease = claimed.locked_until as number;
  const { program } = await ctx.versions.get(ctx.db, run.version_id);
  try {
    for (let taken = 0; taken < STEPS_PER_CLAIM; taken++) {
      const pc = resolvePc(program, run.pc);
      const ins = program[pc] as StepInstruction | undefined;
      if (!ins) {
        await finishRun(ctx.db, run, lease, { status: 'completed', error: null, pc }, ctx.clock());
        return;
      }
      const next = await runStep(ctx, { ...run, pc }, lease, program, ins);
      if (!next) return;
      run = next;
    }
    await updateRun(ctx.db, run, lease, { locked_until: null, due_at: ctx.clock() }, ctx.clock());
  } catch (err) {
    if (err instanceof LeaseLost) {
      ctx.logger.info({ runId: run.id }, 'run was cancelled or its lease lost; leaving it');
      return;
    }
    throw err;
  }
}

/** `advanceRun`, logging what it throws: the lease expires and the run is picked up again. */
export async function advanceRunLogged(ctx: EngineContext, run: RunRow): Promise<void> {
  try {
    await advanceRun(ctx, run);
  } catch (err) {
    ctx.logger.error({ err: coerceError(err), runId: run.id }, 'advancing run failed');
  }
}

/** Executes the step at the run's pc; returns the updated run, or undefined when it stops here. */
async function runStep(
  ctx: EngineContext,
  run: RunRow,
  lease: number,
  program: Instruction[],
  ins: StepInstruction,
): Promise<RunRow | undefined> {
  const now = ctx.clock();
  const row = await ctx.db
    .selectFrom('workflow_steps')
    .selectAll()
    .where('run_id', '=', run.id)
    .where('step_id', '=', ins.id)
    .where('iteration', '=', 0)
    .executeTakeFirst();
  const step = toVisit(run, ins, row, now);
  if (step.status === 'completed')
    return updateRun(ctx.db, run, lease, { pc: resolvePc(program, run.pc + 1) }, now);
  // Only a step whose effect lies outside the database records its attempt before acting, so a
  // crash mid-call still counts against its retries; every other first write goes with the outcome.
  if (ins.op === 'webhook') await saveStep(ctx.db, step, {});
  const state = JSON.parse(run.state) as RunState;
  const context = needsContext(ins)
    ? (await loadContexts(ctx.db, [{ run, state }])).get(run.id)
    : bareContext(state);
  if (!context) throw new Error(`run ${run.id}: its trigger event ${run.trigger_event_id} is gone`);

  let result: StepResult;
  try {
    const outcome = await executeStep(ins, { ctx, run, step, state, now, ...context });
    result = { run, lease, program, ins, step, state, outcome, at: now };
  } catch (err) {
    result = {
      run,
      lease,
      program,
      ins,
      step,
      state,
      outcome: failureOutcome(ins, step, err),
      at: now,
    };
  }
  try {
    const next = await withTransaction(ctx, (tx) =>
      recordOutcome(tx, directWriter(tx.db), ctx.clock, result),
    );
    logOutcome(ctx, result);
    return next;
  } catch (err) {
    if (err instanceof LeaseLost || !runsStepCode(result.outcome)) throw err;
    // The step's effects (or a sleep's recheck) failed: that is the step's failure, recorded as such.
    const failed = { ...result, outcome: failureOutcome(ins, step, err) };
    const next = await withTransaction(ctx, (tx) =>
      recordOutcome(tx, directWriter(tx.db), ctx.clock, failed),
    );
    logOutcome(ctx, failed);
    return next;
  }
}

/** Whether recording the outcome runs the step's own code: its effects, or a sleep's recheck. */
const runsStepCode = (outcome: StepOutcome) =>
  outcome.kind === 'done' || (outcome.kind === 'sleep' && outcome.recheck !== undefined);

/** Warns about a step that will be retried or failed its run, once its record is committed. */
export function logOutcome(ctx: EngineContext, { run, ins, step, outcome }: StepResult): void {
  if (outcome.kind === 'retry')
    ctx.logger.warn(
      { runId: run.id, step: ins.id, attempt: step.attempts, error: outcome.error },
      'step failed; will retry',
    );
  if (outcome.kind === 'fail')
    ctx.logger.warn({ runId: run.id, step: ins.id, error: outcome.error }, 'workflow run failed');
}
