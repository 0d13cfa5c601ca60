// One list of what happened to a contact: its events, its mail and its workflow steps, newest first.
import type { DB } from '../db/open-database.ts';
import { listContactSteps } from '../engine/run-counts.ts';
import { NotFoundError } from '../errors.ts';
import { listEvents } from '../events/list-events.ts';
import { listContactMail } from '../mail/outbox/list-contact-mail.ts';
import { findContactById } from './store/contact-rows.ts';
import type { TimelineEntry } from './timeline-entry.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The newest `limit` of each kind, merged by time; a 404 for an unknown contact. Each source is
 * read by the module that owns its table (events, outbox, runs).
 * @example const items = await contactTimeline(db, 42, 100);
 */
export async function contactTimeline(
  db: DB,
  contactId: number,
  limit: number,
): Promise<TimelineEntry[]> {
  if (!(await findContactById(db, contactId)))
    throw new NotFoundError(`contact ${contactId} not found`);
  const [events, mail, steps] = await Promise.all([
    listEvents(db, { contactId, limit }),
    listContactMail(db, contactId, limit),
    listContactSteps(db, contactId, limit),
  ]);
  const entries: TimelineEntry[] = [
    ...events.items.map((e) => ({
      kind: 'event' as const,
      at: e.createdAt,
      id: e.id,
      type: e.type,
      params: e.params,
    })),
    ...mail.map((m) => ({
      kind: 'mail' as const,
      at: iso(m.createdAt),
      id: m.id,
      mailKind: m.kind,
      subject: m.subject,
      status: m.status,
      sentAt: m.sentAt === null ? null : iso(m.sentAt),
      error: m.error,
    })),
    ...steps.map((s) => ({
      kind: 'step' as const,
      at: iso(s.startedAt),
      id: s.id,
      runId: s.runId,
      workflow: s.workflow,
      stepId: s.stepId,
      op: s.op,
      status: s.status,
      error: s.error,
    })),
  ];
  // Same instant: event before the mail it queued before the step it started (ids break ties).
  const order = { step: 0, mail: 1, event: 2 };
  entries.sort((a, b) => b.at.localeCompare(a.at) || order[a.kind] - order[b.kind] || b.id - a.id);
  return entries.slice(0, limit);
}
