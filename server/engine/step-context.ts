// What a step's expressions read (contact, trigger event, memberships), loaded for many runs at once.
import { loadContactViews } from '../contacts/contact-view.ts';
import type { DB } from '../db/open-database.ts';
import type { ContactRow, RunRow } from '../db/schema.ts';
import type { StepInstruction } from './definition/types.ts';
import type { Scope } from './expressions/cel-environment.ts';
import { buildScope, eventView, type RunState } from './run-scope.ts';

export interface StepContext {
  contact: ContactRow | undefined;
  scope: Scope;
}

const hasTemplate = (texts: string[]) => texts.some((t) => t.includes('$'));

/**
 * False when the step reads nothing of the contact or the event: a `wait` (the many runs that start
 * with one, every timer that fires), `stop`, and labels named without `${…}`. Skipping the loads
 * saves five queries for each such step.
 */
export function needsContext(ins: StepInstruction): boolean {
  switch (ins.op) {
    case 'wait':
    case 'stop':
      return false;
    case 'add_tags':
    case 'remove_tags':
      return hasTemplate(ins.tags);
    case 'add_to_groups':
    case 'remove_from_groups':
      return hasTemplate(ins.groups);
    default:
      return true;
  }
}

/** The scope of a step that reads nothing but earlier steps' outputs. */
export const bareContext = (state: RunState): StepContext => ({
  contact: undefined,
  scope: buildScope({}, { id: 0, type: '', params: {}, createdAt: '' }, state.steps),
});

/**
 * Contexts by run id, in five queries for any number of runs (contacts, trigger events, then
 * groups, pending groups and tags). A run whose trigger event is gone is left out.
 */
export async function loadContexts(
  db: DB,
  runs: { run: RunRow; state: RunState }[],
): Promise<Map<number, StepContext>> {
  const contexts = new Map<number, StepContext>();
  if (runs.length === 0) return contexts;
  const contactIds = [
    ...new Set(runs.map(({ run }) => run.contact_id).filter((id) => id !== null)),
  ];
  const eventIds = [...new Set(runs.map(({ run }) => run.trigger_event_id))];
  const [contacts, events] = await Promise.all([
    contactIds.length
      ? db.selectFrom('contacts').selectAll().where('id', 'in', contactIds).execute()
      : [],
    db.selectFrom('events').selectAll().where('id', 'in', eventIds).execute(),
  ]);
  const views = await loadContactViews(db, contacts);
  const contactById = new Map(contacts.map((c, i) => [c.id, { row: c, view: views[i] }]));
  const eventById = new Map(events.map((e) => [e.id, e]));
  for (const { run, state } of runs) {
    const event = eventById.get(run.trigger_event_id);
    if (!event) continue;
    const contact = run.contact_id === null ? undefined : contactById.get(run.contact_id);
    contexts.set(run.id, {
      contact: contact?.row,
      scope: buildScope(
        (contact?.view ?? {}) as Record<string, unknown>,
        eventView(event),
        state.steps,
      ),
    });
  }
  return contexts;
}
