// Counts rows in the tables a request could have touched, to prove it changed nothing.
import type { DB } from '../../server/db/open-database.ts';

const tables = [
  'contacts',
  'consents',
  'events',
  'outbox',
  'confirm_tokens',
  'contact_groups',
] as const;

export async function rowCounts(db: DB): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const row = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  return counts;
}
