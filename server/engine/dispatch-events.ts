// Turns new events into work: starts matching workflows, wakes runs waiting for them, cancels runs.
import { lockContacts } from '../contacts/store/contact-rows.ts';
import type { DialectCapabilities } from '../db/dialect.ts';
import type { DB } from '../db/open-database.ts';
import type { EventRow } from '../db/schema.ts';
import type { Logger } from '../logger.ts';
import { matchesAny, matchesEventPattern } from './event-pattern.ts';
import { evaluateCondition } from './expressions/cel-environment.ts';
import { buildScope, contactScope, eventView, type RunState } from './run-scope.ts';
import { cancelActiveRuns, wakeRuns } from './runs-store/cancel-runs.ts';
import { startRun } from './runs-store/start-run.ts';
import type { ActiveWorkflow } from './versions.ts';

export interface DispatchResult {
  events: number;
  runsStarted: number;
}

/**
 * Handles up to `limit` undispatched events in one transaction, so an event is dispatched exactly
 * once even with several processes (PostgreSQL skips rows another one has locked).
 */
export async function dispatchEvents(
  db: DB,
  dialect: DialectCapabilities,
  workflows: ActiveWorkflow[],
  opts: { now: number; limit: number; logger: Logger },
): Promise<DispatchResult> {
  return db.transaction().execute(async (trx) => {
    const events = await dialect
      .lockForClaim(
        trx
          .selectFrom('events')
          .selectAll()
          .where('dispatched_at', 'is', null)
          .orderBy('id')
          .limit(opts.limit),
      )
      .execute();
    const waiting = await waitingRunsOf(trx, events);
    const plans = events
      .map((event) => planFor(workflows, event, waiting))
      .filter((plan) => plan !== undefined);
    // Deleting a contact takes its lock, then cancels its runs: a run started here is either seen
    // (and cancelled) by the delete, or sees the contact deleted and never starts.
    await lockContacts(trx, [...new Set(plans.map((p) => p.contactId))]);
    let runsStarted = 0;
    for (const plan of plans) runsStarted += await dispatchOne(trx, plan, opts);
    if (events.length) {
      await trx
        .updateTable('events')
        .set({ dispatched_at: opts.now })
        .where(
          'id',
          'in',
          events.map((e) => e.id),
        )
        .execute();
    }
    return { events: events.length, runsStarted };
  });
}

/** Runs waiting for an event, for every contact of the batch, in one query rather than one each. */
async function waitingRunsOf(trx: DB, events: EventRow[]) {
  const contactIds = [...new Set(events.map((e) => e.contact_id).filter((id) => id !== null))];
  const byContact = new Map<number, { id: number; waiting_for: string }[]>();
  if (!contactIds.length) return byContact;
  const rows = await trx
    .selectFrom('workflow_runs')
    .select(['id', 'contact_id', 'waiting_for'])
    .where('contact_id', 'in', contactIds)
    .where('status', '=', 'waiting')
    .where('waiting_for', 'is not', null)
    .execute();
  for (const row of rows) {
    const list = byContact.get(row.contact_id as number) ?? [];
    list.push({ id: row.id, waiting_for: row.waiting_for as string });
    byContact.set(row.contact_id as number, list);
  }
  return byContact;
}

/** What one event does to its contact's runs; `undefined` when it touches none. */
interface DispatchPlan {
  event: EventRow;
  contactId: number;
  cancelling: ActiveWorkflow[];
  woken: number[];
  triggered: ActiveWorkflow[];
}

function planFor(
  workflows: ActiveWorkflow[],
  event: EventRow,
  waiting: Map<number, { id: number; waiting_for: string }[]>,
): DispatchPlan | undefined {
  if (event.contact_id === null) return undefined;
  const plan: DispatchPlan = {
    event,
    contactId: event.contact_id,
    cancelling: workflows.filter(({ workflow }) => matchesAny(workflow.cancelOn, event.type)),
    woken: (waiting.get(event.contact_id) ?? [])
      .filter((r) => matchesEventPattern(r.waiting_for, event.type))
      .map((r) => r.id),
    triggered: workflows.filter(({ workflow }) => matchesAny(workflow.on, event.type)),
  };
  const busy = plan.cancelling.length + plan.woken.length + plan.triggered.length > 0;
  return busy ? plan : undefined;
}

async function dispatchOne(
  trx: DB,
  { event, contactId, cancelling, woken, triggered }: DispatchPlan,
  opts: { now: number; logger: Logger },
): Promise<number> {
  for (const { workflow } of cancelling) {
    await cancelActiveRuns(trx, {
      workflow: workflow.name,
      contactId,
      reason: `cancelled by ${event.type}`,
      now: opts.now,
    });
  }
  await wakeRuns(trx, woken, opts.now);

  if (!triggered.length) return 0;
  const contact = await trx
    .selectFrom('contacts')
    .selectAll()
    .where('id', '=', contactId)
    .executeTakeFirst();
  if (!contact || contact.deleted_at !== null) return 0;
  // Groups and tags cost two queries; only an `if:` filter reads them.
  const scope = triggered.some(({ workflow }) => workflow.filter)
    ? buildScope(await contactScope(trx, contact), eventView(event), {})
    : undefined;
  let started = 0;
  for (const { workflow, versionId } of triggered) {
    if (workflow.filter && scope) {
      try {
        if (!evaluateCondition(workflow.filter, scope)) continue;
      } catch (err) {
        opts.logger.warn(
          { err, workflow: workflow.name, eventId: event.id },
          'workflow filter failed; run not started',
        );
        continue;
      }
    }
    const state: RunState = { steps: {}, eventCursor: event.id };
    const inserted = await startRun(trx, {
      workflow: workflow.name,
      versionId,
      contactId,
      triggerEventId: event.id,
      exclusive: workflow.reentry === 'once',
      state,
      now: opts.now,
    });
    if (inserted) started++;
  }
  return started;
}
