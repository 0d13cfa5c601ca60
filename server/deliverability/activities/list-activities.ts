// Reading the activity log: a page within a time range (newest first), and the funnel's counts.
import { sql } from 'kysely';
import type { DB } from '../../db/open-database.ts';
import type { ActivityAction } from '../../db/schema.ts';
import { toPage } from '../../http/pagination.ts';
import { type ActivityView, activityActions, toActivityView } from './activity-resource.ts';

export interface ActivityRange {
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, exclusive. */
  to: number;
  workflow?: string;
}

export async function listActivities(
  db: DB,
  input: ActivityRange & { action?: ActivityAction; before?: number; limit: number },
): Promise<{ items: ActivityView[]; nextCursor: string | null }> {
  let query = db
    .selectFrom('activities')
    .selectAll()
    .where('created_at', '>=', input.from)
    .where('created_at', '<', input.to)
    .orderBy('id', 'desc')
    .limit(input.limit + 1);
  if (input.action) query = query.where('action', '=', input.action);
  if (input.workflow) query = query.where('workflow', '=', input.workflow);
  if (input.before !== undefined) query = query.where('id', '<', input.before);
  return toPage(await query.execute(), input.limit, toActivityView);
}

export type ActivityCounts = Record<ActivityAction, { total: number; unique: number }>;

/**
 * Per action: `total` activities and `unique` recipients (distinct contacts, or addresses for
 * feedback about an address no contact has), in one grouped query.
 */
export async function summarizeActivities(db: DB, range: ActivityRange): Promise<ActivityCounts> {
  let query = db
    .selectFrom('activities')
    .select((eb) => [
      'action',
      eb.fn.countAll<string>().as('total'),
      sql<string>`count(distinct coalesce(cast(contact_id as text), email))`.as('unique'),
    ])
    .where('created_at', '>=', range.from)
    .where('created_at', '<', range.to)
    .groupBy('action');
  if (range.workflow) query = query.where('workflow', '=', range.workflow);
  const rows = await query.execute();
  const counts = Object.fromEntries(
    activityActions.map((action) => [action, { total: 0, unique: 0 }]),
  ) as ActivityCounts;
  for (const row of rows)
    counts[row.action] = { total: Number(row.total), unique: Number(row.unique) };
  return counts;
}
