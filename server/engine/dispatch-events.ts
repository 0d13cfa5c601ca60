// Turns new events into work: starts matching workflows, wakes runs waiting for them, cancels runs.
import { sql } from 'kysely';
import { loadContactViews } from '../contacts/contact-view.ts';
import { lockContacts } from '../contacts/store/contact-rows.ts';
import type { DialectCapabilities } from '../db/dialect.ts';
import type { DB } from '../db/open-database.ts';
import type { ContactRow, EventRow, RunRow } from '../db/schema.ts';
import type { Logger } from '../logger.ts';
import { matchesAny, matchesEventPattern } from './event-pattern.ts';
import { evaluateCondition } from './expressions/cel-environment.ts';
import { buildScope, eventView } from './run-scope.ts';
import { cancelActiveRuns, wakeRuns } from './runs-store/cancel-runs.ts';
import { type NewRun, startRuns } from './runs-store/start-run.ts';
import type { ActiveWorkflow } from './versions.ts';

export interface DispatchResult {
  events: number;
  runsStarted: number;
  /** The runs started already leased to `claim.workerId`, for it to advance now. */
  claimed: RunRow[];
}

/** Leases up to `limit` of the runs it starts to this worker, sparing it a claim and its commit. */
export interface DispatchClaim {
  workerId: string;
  leaseMs: number;
  limit: number;
}

/**
 * Handles up to `limit` undispatched events in one transaction, so an event is dispatched exactly
 * once even with several processes (PostgreSQL skips rows another one has locked). The batch's
 * contacts are read in one query and its new runs inserted in one statement, so the transaction
 * makes a handful of round trips whatever its size.
 */
export async function dispatchEvents(
  db: DB,
  dialect: DialectCapabilities,
  workflows: ActiveWorkflow[],
  opts: { now: number; limit: number; logger: Logger; claim?: DispatchClaim },
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
    // Deleting a contact takes its lock, then cancels its runs: a run started here is either seen
    // (and cancelled) by the delete, or sees the contact deleted and never starts. A wait_for going
    // to sleep takes it too, then looks for events again: either this sees that run waiting, or it
    // sees this batch's events (steps/wait-for.ts).
    await lockContacts(trx, [
      ...new Set(events.map((e) => e.contact_id).filter((id) => id !== null)),
    ]);
    const waiting = await waitingRunsOf(trx, events);
    const plans = events
      .map((event) => planFor(workflows, event, waiting))
      .filter((plan) => plan !== undefined);
    const contacts = await contactsOf(trx, plans);
    const starts = new PendingStarts(trx, opts.now, opts.claim);
    for (const plan of plans) await dispatchOne(trx, plan, contacts, starts, opts);
    const started = await starts.flush();
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
    return {
      events: events.length,
      runsStarted: started.length,
      claimed: started.filter((run) => run.locked_until !== null),
    };
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
    // An expression, not the column: SQLite (no statistics) otherwise reads the `(status, due_at)`
    // index, i.e. every waiting run, instead of the batch's contacts' runs.
    .where(sql<string>`status || ''`, '=', 'waiting')
    .where('waiting_for', 'is not', null)
    .execute();
  for (const row of rows) {
    const list = byContact.get(row.contact_id as number) ?? [];
    list.push({ id: row.id, waiting_for: row.waiting_for as string });
    byContact.set(row.contact_id as number, list);
  }
  return byContact;
}

/** What a workflow filter sees of a contact: its row and, when a filter reads it, its view. */
interface DispatchContact {
  row: ContactRow;
  view: Record<string, unknown> | undefined;
}

/**
 * The live contacts that events of the batch may start runs for, in one query; groups and tags
 * (three more) only when a triggered workflow has an `if:` filter that reads them.
 */
async function contactsOf(trx: DB, plans: DispatchPlan[]): Promise<Map<number, DispatchContact>> {
  const starting = plans.filter((p) => p.triggered.length > 0);
  const ids = [...new Set(starting.map((p) => p.contactId))];
  const byId = new Map<number, DispatchContact>();
  if (!ids.length) return byId;
  const rows = await trx.selectFrom('contacts').selectAll().where('id', 'in', ids).execute();
  const live = rows.filter((row) => row.deleted_at === null);
  const filtered = new Set(
    starting
      .filter((p) => p.triggered.some(({ workflow }) => workflow.filter))
      .map((p) => p.contactId),
  );
  const withView = live.filter((row) => filtered.has(row.id));
  const views = await loadContactViews(trx, withView);
  for (const [i, row] of withView.entries())
    byId.set(row.id, { row, view: views[i] as unknown as Record<string, unknown> });
  for (const row of live) if (!byId.has(row.id)) byId.set(row.id, { row, view: undefined });
  return byId;
}

/**
 * Runs to start, inserted together. A cancellation for a contact with runs still pending writes them
 * first, so events take effect in their order (a run started by an event is cancelled by a later one).
 */
class PendingStarts {
  private runs: NewRun[] = [];
  private contacts = new Set<number>();
  private readonly started: RunRow[] = [];
  private claims: number;

  constructor(
    private readonly trx: DB,
    private readonly now: number,
    private readonly claim: DispatchClaim | undefined,
  ) {
    this.claims = claim?.limit ?? 0;
  }

  add(run: NewRun): void {
    if (this.claim && this.claims > 0) {
      this.claims--;
      run.claim = { until: this.now + this.claim.leaseMs, by: this.claim.workerId };
    }
    this.runs.push(run);
    this.contacts.add(run.contactId);
  }

  async before(contactId: number): Promise<void> {
    if (this.contacts.has(contactId)) await this.flush();
  }

  async flush(): Promise<RunRow[]> {
    if (this.runs.length) this.started.push(...(await startRuns(this.trx, this.runs, this.now)));
    this.runs = [];
    this.contacts.clear();
    return this.started;
  }
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
  contacts: Map<number, DispatchContact>,
  starts: PendingStarts,
  opts: { now: number; logger: Logger },
): Promise<void> {
  if (cancelling.length) await starts.before(contactId);
  for (const { workflow } of cancelling) {
    await cancelActiveRuns(trx, {
      workflow: workflow.name,
      contactId,
      reason: `cancelled by ${event.type}`,
      now: opts.now,
    });
  }
  await wakeRuns(trx, woken, opts.now);

  const contact = contacts.get(contactId);
  if (!triggered.length || !contact) return;
  const scope = contact.view ? buildScope(contact.view, eventView(event), {}) : undefined;
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
    starts.add({
      workflow: workflow.name,
      versionId,
      contactId,
      triggerEventId: event.id,
      exclusive: workflow.reentry === 'once',
      state: { steps: {}, eventCursor: event.id },
    });
  }
}
