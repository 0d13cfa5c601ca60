// The double opt-in funnel per form and per UTC day, counted from consent records.
import { sql } from 'kysely';
import type { DB } from '../db/open-database.ts';

const DAY_MS = 86_400_000;

export interface FunnelCounts {
  subscribed: number;
  confirmed: number;
  unsubscribed: number;
  /** confirmed / subscribed of the same rows; null when nothing was subscribed. */
  confirmationRate: number | null;
}

export interface FunnelDay extends FunnelCounts {
  date: string;
  form: string | null;
}

const KIND_TO_COUNT = {
  subscribe: 'subscribed',
  confirm: 'confirmed',
  unsubscribe: 'unsubscribed',
} as const;

const empty = (): FunnelCounts => ({
  subscribed: 0,
  confirmed: 0,
  unsubscribed: 0,
  confirmationRate: null,
});

function withRate<T extends FunnelCounts>(counts: T): T {
  counts.confirmationRate =
    counts.subscribed === 0
      ? null
      : Math.round((counts.confirmed / counts.subscribed) * 1000) / 1000;
  return counts;
}

/**
 * Consents of the last `days` UTC days (today included), grouped by form and day in SQL: the
 * consents table grows with every sign-up, so only the per-day counts come back.
 * Integer division of an integer column is the same on SQLite and PostgreSQL (bigint / bigint).
 * @example await consentFunnel(db, { days: 30, now: Date.now() })
 */
export async function consentFunnel(
  db: DB,
  input: { days: number; form?: string; now: number },
): Promise<{
  from: string;
  to: string;
  days: FunnelDay[];
  totals: (FunnelCounts & { form: string | null })[];
}> {
  const firstDay = Math.floor(input.now / DAY_MS) - input.days + 1;
  const dayExpr = sql<number>`created_at / ${sql.lit(DAY_MS)}`;
  let query = db
    .selectFrom('consents')
    .select([dayExpr.as('day'), 'form_type', 'kind', db.fn.countAll<number | string>().as('n')])
    .where('created_at', '>=', firstDay * DAY_MS)
    .groupBy([dayExpr, 'form_type', 'kind']);
  if (input.form !== undefined) query = query.where('form_type', '=', input.form);
  const rows = await query.execute();

  const byDay = new Map<string, FunnelDay>();
  const byForm = new Map<string | null, FunnelCounts & { form: string | null }>();
  for (const row of rows) {
    const date = new Date(Number(row.day) * DAY_MS).toISOString().slice(0, 10);
    const key = `${date}\u0000${row.form_type ?? ''}`;
    const day = byDay.get(key) ?? { date, form: row.form_type, ...empty() };
    byDay.set(key, day);
    const total = byForm.get(row.form_type) ?? { form: row.form_type, ...empty() };
    byForm.set(row.form_type, total);
    const count = KIND_TO_COUNT[row.kind];
    day[count] += Number(row.n);
    total[count] += Number(row.n);
  }
  const days = [...byDay.values()]
    .map(withRate)
    .sort((a, b) => a.date.localeCompare(b.date) || (a.form ?? '').localeCompare(b.form ?? ''));
  return {
    from: new Date(firstDay * DAY_MS).toISOString().slice(0, 10),
    to: new Date(input.now).toISOString().slice(0, 10),
    days,
    totals: [...byForm.values()].map(withRate),
  };
}
