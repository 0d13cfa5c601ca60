// Advances many claimed runs together: shared reads each round, and one transaction for all their steps.
import { lockContacts } from '../contacts/store/contact-rows.ts';
import type { DB } from '../db/open-database.ts';
import type { RunRow, StepRow } from '../db/schema.ts';
import { withTransaction } from '../db/unit-of-work.ts';
import { advanceRunLogged, logOutcome, STEPS_PER_CLAIM } from './advance-run.ts';
import type { Instruction, StepInstruction } from './definition/types.ts';
import type { EngineContext } from './engine-context.ts';
import type { RunState } from './run-scope.ts';
import { finishing, LeaseLost, updateRun } from './runs-store/update-run.ts';
import { bareContext, loadContexts, needsContext } from './step-context.ts';
import type { LabelChange } from './step-outcome.ts';
import {
  applyLabels,
  failureOutcome,
  recordOutcome,
  resolvePc,
  type StepResult,
  toVisit,
} from './step-records.ts';
import { RoundWriter } from './step-writers.ts';
import { executeStep } from './steps/registry.ts';

/** A claimed run at its real position (jumps followed); `ins` undefined: its program has ended. */
interface Positioned {
  run: RunRow;
  lease: number;
  program: Instruction[];
  ins: StepInstruction | undefined;
}

/**
 * Advances `claimed` step by step, all runs of a round in one transaction: on SQLite a commit costs
 * more than a step's statements, on PostgreSQL it saves round trips. A run stops taking part when
 * it sleeps, ends, or has taken STEPS_PER_CLAIM steps (it then goes back in the queue). Webhooks,
 * and every run of a round whose transaction failed, go on one by one (`advanceRun`).
 */
export async function advanceRuns(ctx: EngineContext, claimed: RunRow[]): Promise<void> {
  const solo: Promise<void>[] = [];
  let active = claimed;
  for (let taken = 0; active.length > 0 && taken < STEPS_PER_CLAIM; taken++)
    active = await round(ctx, active, solo);
  for (const run of active) {
    await updateRun(
      ctx.db,
      run,
      run.locked_until as number,
      { locked_until: null, due_at: ctx.clock() },
      ctx.clock(),
    ).catch((err) => {
      if (!(err instanceof LeaseLost)) throw err;
    });
  }
  await Promise.all(solo);
}

/** One step of each run; returns the runs that go on. */
async function round(ctx: EngineContext, runs: RunRow[], solo: Promise<void>[]): Promise<RunRow[]> {
  const now = ctx.clock();
  const positioned: Positioned[] = [];
  for (const run of runs) {
    const { program } = await ctx.versions.get(ctx.db, run.version_id);
    const pc = resolvePc(program, run.pc);
    const ins = program[pc] as StepInstruction | undefined;
    // A webhook's call must not hold the batch's transaction open.
    if (ins?.op === 'webhook') solo.push(advanceRunLogged(ctx, run));
    else positioned.push({ run: { ...run, pc }, lease: run.locked_until as number, program, ins });
  }
  const stepping = positioned.filter((p) => p.ins !== undefined);
  const rows = await stepRowsOf(ctx.db, stepping);
  const visits = stepping.map((p) => {
    const ins = p.ins as StepInstruction;
    const step = toVisit(p.run, ins, rows.get(`${p.run.id}:${ins.id}`), now);
    return { ...p, ins, step, state: JSON.parse(p.run.state) as RunState };
  });
  const executing = visits.filter((v) => v.step.status !== 'completed');
  const contexts = await loadContexts(
    ctx.db,
    executing.filter((v) => needsContext(v.ins)),
  );
  const results: StepResult[] = [];
  for (const v of executing) {
    const context = needsContext(v.ins) ? contexts.get(v.run.id) : bareContext(v.state);
    if (!context) {
      // Its trigger event is gone: the single-run path reports it.
      solo.push(advanceRunLogged(ctx, v.run));
      continue;
    }
    try {
      const outcome = await executeStep(v.ins, { ctx, ...v, now, ...context });
      results.push({ ...v, outcome, at: now });
    } catch (err) {
      results.push({ ...v, outcome: failureOutcome(v.ins, v.step, err), at: now });
    }
  }
  const inBatch = new Set(results.map((r) => r.run.id));
  const recorded = new Set(
    visits.filter((v) => v.step.status === 'completed').map((v) => v.run.id),
  );
  const others = positioned.filter((p) => p.ins === undefined || recorded.has(p.run.id));
  try {
    const next = await withTransaction(ctx, async (tx) => {
      await lockContacts(tx.db, lockedContacts(results));
      const writer = new RoundWriter();
      const goingOn: RunRow[] = [];
      for (const p of others) {
        const moved = await moveOn(writer, p, now);
        if (moved) goingOn.push(moved);
      }
      await applyLabelsTogether(tx.db, results, now);
      for (const result of results) {
        const moved = await recordOutcome(tx, writer, ctx.clock, result);
        if (moved) goingOn.push(moved);
      }
      await writer.flush(tx.db);
      return goingOn;
    });
    for (const result of results) logOutcome(ctx, result);
    return next;
  } catch (err) {
    // One run's effects failed or its lease was lost: nothing of the round was written, so each run
    // goes on alone, where its own failure is recorded without holding back the others.
    ctx.logger.debug({ err }, 'batched step transaction failed; advancing its runs one by one');
    for (const p of positioned) {
      if (inBatch.has(p.run.id) || others.includes(p)) solo.push(advanceRunLogged(ctx, p.run));
    }
    return [];
  }
}

/**
 * The contacts whose locks the round's writes take: a wait_for's recheck takes its contact's.
 * Taken together first, in one fixed order, so the round never holds one while it waits for another
 * that the dispatcher (which also locks its batch at once) holds.
 */
function lockedContacts(results: StepResult[]): number[] {
  const ids = new Set<number>();
  for (const { outcome, run } of results)
    if (outcome.kind === 'sleep' && outcome.recheck && run.contact_id !== null)
      ids.add(run.contact_id);
  return [...ids];
}

/**
 * The round's label changes, one call per distinct change for all the contacts asking for it (a
 * burst tagging 32 contacts makes 4 statements instead of 128); marks them applied.
 */
async function applyLabelsTogether(db: DB, results: StepResult[], now: number): Promise<void> {
  const groups = new Map<string, { change: LabelChange; contactIds: number[] }>();
  for (const result of results) {
    const { outcome, run } = result;
    if (outcome.kind !== 'done' || !outcome.labels || run.contact_id === null) continue;
    const key = JSON.stringify(outcome.labels);
    const group = groups.get(key) ?? { change: outcome.labels, contactIds: [] };
    group.contactIds.push(run.contact_id);
    groups.set(key, group);
    result.labelsApplied = true;
  }
  for (const { change, contactIds } of groups.values())
    await applyLabels(db, change, contactIds, now);
}

/** A run past its last step finishes; one whose step was already recorded moves past it. */
async function moveOn(
  writer: RoundWriter,
  p: Positioned,
  now: number,
): Promise<RunRow | undefined> {
  if (p.ins === undefined) {
    const finished = finishing({ status: 'completed', error: null, pc: p.run.pc }, now);
    await writer.updateRun(p.run, p.lease, finished, now);
    return undefined;
  }
  const pc = resolvePc(p.program, p.run.pc + 1);
  return writer.updateRun(p.run, p.lease, { pc }, now);
}

/** The stored rows of the steps the runs are at, keyed `run:step`, in one query. */
async function stepRowsOf(db: DB, at: Positioned[]): Promise<Map<string, StepRow>> {
  const byKey = new Map<string, StepRow>();
  if (at.length === 0) return byKey;
  const rows = await db
    .selectFrom('workflow_steps')
    .selectAll()
    .where(
      'run_id',
      'in',
      at.map((p) => p.run.id),
    )
    .where('step_id', 'in', [...new Set(at.map((p) => (p.ins as StepInstruction).id))])
    .where('iteration', '=', 0)
    .execute();
  for (const row of rows) byKey.set(`${row.run_id}:${row.step_id}`, row);
  return byKey;
}
