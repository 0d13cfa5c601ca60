// Workflow runs and their steps as the API shows them.
import type { DB } from '../db/open-database.ts';
import type { RunRow, RunStatus, StepRow } from '../db/schema.ts';
import { NotFoundError } from '../errors.ts';
import { toPage } from '../http/pagination.ts';
import { cancelRunById } from './runs-store/cancel-runs.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function toRunView(run: RunRow) {
  return {
    id: run.id,
    workflow: run.workflow,
    versionId: run.version_id,
    contactId: run.contact_id,
    triggerEventId: run.trigger_event_id,
    status: run.status,
    waitingFor: run.waiting_for,
    dueAt: iso(run.due_at),
    error: run.error,
    createdAt: iso(run.created_at),
    updatedAt: iso(run.updated_at),
    finishedAt: iso(run.finished_at),
  };
}

export function toStepView(step: StepRow) {
  return {
    stepId: step.step_id,
    iteration: step.iteration,
    op: step.op,
    status: step.status,
    attempts: step.attempts,
    output: step.output === null ? null : JSON.parse(step.output),
    error: step.error,
    startedAt: iso(step.started_at),
    finishedAt: iso(step.finished_at),
  };
}

export async function listRuns(
  db: DB,
  q: { contactId?: number; workflow?: string; status?: RunStatus; before?: number; limit: number },
) {
  let query = db
    .selectFrom('workflow_runs')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(q.limit + 1);
  if (q.contactId !== undefined) query = query.where('contact_id', '=', q.contactId);
  if (q.workflow) query = query.where('workflow', '=', q.workflow);
  if (q.status) query = query.where('status', '=', q.status);
  if (q.before !== undefined) query = query.where('id', '<', q.before);
  return toPage(await query.execute(), q.limit, toRunView);
}

export async function getRun(db: DB, id: number) {
  const run = await db
    .selectFrom('workflow_runs')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (!run) throw new NotFoundError(`workflow run ${id} not found`);
  const steps = await db
    .selectFrom('workflow_steps')
    .selectAll()
    .where('run_id', '=', id)
    .orderBy('id')
    .execute();
  return { ...toRunView(run), steps: steps.map(toStepView) };
}

/** Cancels an active run; a finished one is a conflict the caller reports. */
export async function cancelRun(
  db: DB,
  id: number,
  now = Date.now(),
): Promise<'cancelled' | 'finished'> {
  await getRun(db, id);
  return (await cancelRunById(db, id, 'cancelled through the API', now)) ? 'cancelled' : 'finished';
}
