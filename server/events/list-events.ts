// Paging through the event log, newest first, with an opaque cursor.
import type { DB } from '../db/open-database.ts';
import { toPage } from '../http/pagination.ts';
import { type EventView, toEventView } from './event-resource.ts';

export interface ListEventsInput {
  type?: string;
  contactId?: number;
  /** Id of the last event of the previous page. */
  before?: number;
  limit: number;
}

export async function listEvents(
  db: DB,
  input: ListEventsInput,
): Promise<{ items: EventView[]; nextCursor: string | null }> {
  let query = db
    .selectFrom('events')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(input.limit + 1);
  if (input.type) query = query.where('type', '=', input.type);
  if (input.contactId !== undefined) query = query.where('contact_id', '=', input.contactId);
  if (input.before !== undefined) query = query.where('id', '<', input.before);
  return toPage(await query.execute(), input.limit, toEventView);
}
