// Moves one claimed run forward, one step per transaction, until it sleeps, ends or loses its lease.
import { backoffMs } from '../background/backoff.ts';
import type { DB } from '../db/open-database.ts';
import type { RunRow, StepRow } from '../db/schema.ts';
import { withTransaction } from '../db/unit-of-work.ts';
import type { StepInstruction } from './definition/types.ts';
import type { EngineContext } from './engine-context.ts';
import { buildScope, contactScope, eventView, type RunState } from './run-scope.ts';
import { finishRun, LeaseLost, updateRun } from './runs-store/update-run.ts';
import { PermanentStepError, toStepError } from './step-errors.ts';
import type { StepOutcome } from './step-outcome.ts';
import type { StepVisit } from './step-visit.ts';
import { executeStep } from './steps/registry.ts';

/** Steps one claim may take before the run goes back in the queue, so no run starves the others. */
const STEPS_PER_CLAIM = 50;

export async function advanceRun(ctx: EngineContext, claimed: RunRow): Promise<void> {
  let run = claimed;
  const lease = claimed.locked_until as number;
  const workflow = await ctx.versions.get(ctx.db, run.version_id);
  try {
    for (let taken = 0; taken < STEPS_PER_CLAIM; taken++) {
      const ins = workflow.program[run.pc];
      if (!ins) {
        await finishRun(ctx.db, run, lease, { status: 'completed', error: null }, ctx.clock());
        return;
      }
      if (ins.op === 'jump') {
        run = await updateRun(ctx.db, run, lease, { pc: ins.target }, ctx.clock());
        continue;
      }
      const next = await runStep(ctx, run, lease, ins);
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

/** Executes the step at the run's pc; returns the updated run, or undefined when it stops here. */
async function runStep(
  ctx: EngineContext,
  run: RunRow,
  lease: number,
  ins: StepInstruction,
): Promise<RunRow | undefined> {
  const now = ctx.clock();
  const step = await visitStep(ctx.db, run, ins, now);
  if (step.status === 'completed') return updateRun(ctx.db, run, lease, { pc: run.pc + 1 }, now);
  const state = JSON.parse(run.state) as RunState;
  // A `wait` reads nothing; skipping the contact and event loads matters for the many runs that
  // start with one (reminders) and for every timer that fires.
  const { contact, scope } =
    ins.op === 'wait'
      ? {
          contact: undefined,
          scope: buildScope({}, { id: 0, type: '', params: {}, createdAt: '' }, state.steps),
        }
      : await loadContext(ctx, run, state);

  let outcome: StepOutcome;
  try {
    outcome = await executeStep(ins, { ctx, run, step, state, contact, scope, now });
  } catch (err) {
    outcome = failureOutcome(ins, step, err);
  }
  if (outcome.kind === 'done') {
    const done = outcome;
    try {
      return await withTransaction(ctx, async (tx) => {
        const trx = tx.db;
        const produced = done.effects ? await done.effects(tx) : undefined;
        const output = produced === undefined ? done.output : produced;
        await saveStep(trx, step, {
          status: 'completed',
          output,
          error: null,
          finished_at: ctx.clock(),
        });
        const nextState: RunState = {
          steps: { ...state.steps, [ins.id]: output },
          eventCursor: done.eventCursor ?? state.eventCursor,
        };
        return updateRun(
          trx,
          run,
          lease,
          {
            pc: done.nextPc ?? run.pc + 1,
            state: JSON.stringify(nextState),
            status: 'running',
            waiting_for: null,
          },
          ctx.clock(),
        );
      });
    } catch (err) {
      if (err instanceof LeaseLost) throw err;
      outcome = failureOutcome(ins, step, err);
    }
  }
  switch (outcome.kind) {
    case 'sleep':
      await ctx.db.transaction().execute(async (trx) => {
        await saveStep(trx, step, { status: 'waiting', output: outcome.output, error: null });
        await updateRun(
          trx,
          run,
          lease,
          {
            status: 'waiting',
            due_at: outcome.until,
            waiting_for: outcome.waitingFor ?? null,
            locked_until: null,
          },
          now,
        );
      });
      return undefined;
    case 'retry':
      await ctx.db.transaction().execute(async (trx) => {
        await saveStep(trx, step, { error: outcome.error });
        await updateRun(
          trx,
          run,
          lease,
          { due_at: now + outcome.delayMs, locked_until: null },
          now,
        );
      });
      ctx.logger.warn(
        { runId: run.id, step: ins.id, attempt: step.attempts, error: outcome.error },
        'step failed; will retry',
      );
      return undefined;
    case 'fail':
      await ctx.db.transaction().execute(async (trx) => {
        await saveStep(trx, step, {
          status: 'failed',
          error: outcome.error,
          finished_at: ctx.clock(),
        });
        await finishRun(
          trx,
          run,
          lease,
          { status: 'failed', error: `${ins.id}: ${outcome.error}` },
          ctx.clock(),
        );
      });
      ctx.logger.warn({ runId: run.id, step: ins.id, error: outcome.error }, 'workflow run failed');
      return undefined;
    case 'end':
      await ctx.db.transaction().execute(async (trx) => {
        await saveStep(trx, step, {
          status: 'completed',
          output: outcome.output,
          finished_at: ctx.clock(),
        });
        await finishRun(trx, run, lease, { status: 'completed', error: null }, ctx.clock());
      });
      return undefined;
    case 'done':
      throw new Error('unreachable: done outcomes return above');
  }
}

async function loadContext(ctx: EngineContext, run: RunRow, state: RunState) {
  const [contact, trigger] = await Promise.all([
    run.contact_id === null
      ? undefined
      : ctx.db
          .selectFrom('contacts')
          .selectAll()
          .where('id', '=', run.contact_id)
          .executeTakeFirst(),
    ctx.db
      .selectFrom('events')
      .selectAll()
      .where('id', '=', run.trigger_event_id)
      .executeTakeFirstOrThrow(),
  ]);
  return {
    contact,
    scope: buildScope(await contactScope(ctx.db, contact), eventView(trigger), state.steps),
  };
}

/** A permanent failure fails the run; a retryable one is retried per the step's policy. */
function failureOutcome(ins: StepInstruction, step: StepVisit, thrown: unknown): StepOutcome {
  const err = toStepError(thrown);
  if (err instanceof PermanentStepError || step.attempts >= ins.retry.attempts)
    return { kind: 'fail', error: err.message };
  const jittered = backoffMs(step.attempts, ins.retry.backoffMs, ins.retry.maxBackoffMs);
  // A receiver's Retry-After is honoured when it asks for more patience than our backoff.
  return { kind: 'retry', error: err.message, delayMs: Math.max(jittered, err.retryAfterMs ?? 0) };
}

/**
 * Reads the step's row without writing: its first write goes into the transaction that records the
 * outcome, which saves commits. Only a step whose effect lies outside the database (a webhook)
 * records its attempt before acting, so a crash mid-call still counts against its retries.
 */
async function visitStep(
  db: DB,
  run: RunRow,
  ins: StepInstruction,
  now: number,
): Promise<StepVisit> {
  const row = await db
    .selectFrom('workflow_steps')
    .selectAll()
    .where('run_id', '=', run.id)
    .where('step_id', '=', ins.id)
    .where('iteration', '=', 0)
    .executeTakeFirst();
  const visit: StepVisit = {
    runId: run.id,
    stepId: ins.id,
    op: ins.op,
    iteration: 0,
    status: row?.status ?? 'running',
    // Waking up from a wait is not a new attempt.
    attempts:
      (row?.attempts ?? 0) + (row?.status === 'completed' || row?.status === 'waiting' ? 0 : 1),
    output: row?.output ?? null,
    startedAt: row?.started_at ?? now,
  };
  if (ins.op === 'webhook' && visit.status !== 'completed') await saveStep(db, visit, {});
  return visit;
}

/** Inserts or updates the step's row (unique per run, step and iteration) with this visit's state. */
async function saveStep(
  db: DB,
  step: StepVisit,
  change: {
    status?: StepRow['status'];
    output?: unknown;
    error?: string | null;
    finished_at?: number;
  },
): Promise<void> {
  const values = {
    status: change.status ?? step.status,
    attempts: step.attempts,
    ...(change.output === undefined ? {} : { output: JSON.stringify(change.output) }),
    ...(change.error === undefined ? {} : { error: change.error }),
    ...(change.finished_at === undefined ? {} : { finished_at: change.finished_at }),
  };
  await db
    .insertInto('workflow_steps')
    .values({
      run_id: step.runId,
      step_id: step.stepId,
      iteration: step.iteration,
      op: step.op,
      started_at: step.startedAt,
      output: step.output,
      ...values,
    })
    .onConflict((oc) => oc.columns(['run_id', 'step_id', 'iteration']).doUpdateSet(values))
    .execute();
}
