// The contact change feed: contacts written after a position, oldest first, each once its stamp is final.
import { dialectOf } from '../db/dialect.ts';
import type { DB } from '../db/open-database.ts';
import { type ChangePosition, encodeChangeCursor } from './change-cursor.ts';
import type { ContactView } from './contact-resource.ts';
import { loadContactViews } from './contact-view.ts';

export interface ChangesPage {
  /** Current states, in `(change_seq, id)` order; deleted contacts included. */
  items: ContactView[];
  /** Where the next call resumes: after the last item, or `after` itself when there was none. */
  nextCursor: string;
}

/**
 * Up to `limit` contacts written after `after`. Following `nextCursor` returns every write once;
 * a contact written again moves to the end of the feed (its stamp grows), so it may come again.
 * @example const page = await listContactChanges(db, { after: FEED_START, limit: 100 });
 */
export async function listContactChanges(
  db: DB,
  input: { after: ChangePosition; limit: number },
): Promise<ChangesPage> {
  const { after, limit } = input;
  // Why the horizon is read first, in its own statement, and why that is enough (PostgreSQL;
  // SQLite has no bound since its writers commit in stamp order):
  // - the horizon H is the xmin of a snapshot S1: every transaction with an id below H had ended
  //   (committed or rolled back) when S1 was taken;
  // - the page query runs after, with its own snapshot S2 (read committed, any connection), which
  //   sees every transaction that had committed before S1: all rows stamped below H are in S2 with
  //   their final content;
  // - no transaction can stamp below H any more: a stamp is its writer's id, and ids handed out
  //   after S1 are at least S1's xmax >= H. So a row rewritten later moves to a stamp >= H, past
  //   any cursor this page returns (cursors only take stamps below H).
  // Reading the page first and the horizon after would be wrong: a transaction committing in
  // between raises the horizon over stamps the page did not see. A single statement would also do
  // (pg_current_snapshot() is the statement's snapshot), at the cost of dialect SQL in the query.
  const horizon = await dialectOf(db).changeHorizon(db);
  let query = db
    .selectFrom('contacts')
    .selectAll()
    // The first condition alone bounds the index range; the second drops what the cursor passed.
    .where('change_seq', '>=', after.seq)
    .where((eb) => eb.or([eb('change_seq', '>', after.seq), eb('id', '>', after.id)]))
    .orderBy('change_seq')
    .orderBy('id')
    .limit(limit);
  if (horizon !== undefined) query = query.where('change_seq', '<', horizon);
  const rows = await query.execute();
  const last = rows.at(-1);
  return {
    items: await loadContactViews(db, rows),
    nextCursor: encodeChangeCursor(last ? { seq: last.change_seq, id: last.id } : after),
  };
}
