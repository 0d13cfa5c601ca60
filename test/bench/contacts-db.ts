// Direct access to a Subflow server's database for the contacts-list bench: seeds contacts in bulk,
// and times (and explains) the list endpoint's SQL for a field filter from the bench process.
import { performance } from 'node:perf_hooks';
import { type Compilable, CompiledQuery, sql } from 'kysely';
import { type OpenDatabase, openDatabase } from '../../server/db/open-database.ts';

export interface ContactsDb {
  /**
   * Inserts `count` confirmed contacts whose fields are `{plan: "plan<n % plans>", seats, city}`.
   * A bench fixture writes rows directly, in one statement: through `insertContact` 100,000 rows
   * take minutes, and the figure is about reading them, not writing them.
   */
  seed(count: number, plans: number): Promise<void>;
  /** The list's SQL for `?field.<key>=<value>&limit=100`, run once per value; ms, ascending. */
  timeFieldQuery(key: string, values: string[]): Promise<number[]>;
  /** The engine's query plan for that SQL, one line. */
  plan(key: string, value: string): Promise<string>;
  close(): Promise<void>;
}

/** The server must have migrated the database first (it does before it reports ready). */
export function openContactsDb(databaseUrl: string): ContactsDb {
  const open: OpenDatabase = openDatabase(databaseUrl);
  const { db, dialect } = open;
  // The same shape as the list endpoint's: the filter on the field's expression, live contacts,
  // id order, one row more than the page to know whether there is a next one.
  const listQuery = (key: string, value: string) =>
    db
      .selectFrom('contacts')
      .selectAll()
      .where(dialect.fieldValue(key), 'in', dialect.fieldFilterValues('enum', value))
      .where('deleted_at', 'is', null)
      .orderBy('id')
      .limit(101);
  const explain = async (query: Compilable) => {
    const { sql: text, parameters } = query.compile();
    const prefix = dialect.name === 'sqlite' ? 'explain query plan' : 'explain';
    const { rows } = await db.executeQuery<Record<string, unknown>>(
      CompiledQuery.raw(`${prefix} ${text}`, [...parameters]),
    );
    return rows.map((r) => String(r.detail ?? r['QUERY PLAN']).trim()).join('; ');
  };
  return {
    async seed(count, plans) {
      const now = Date.now();
      if (dialect.name === 'sqlite') {
        await sql`
          with recursive n(i) as (select 1 union all select i + 1 from n where i < ${sql.lit(count)})
          insert into contacts (email, fields, status, source, created_at, updated_at)
          select 'list-' || i || '@example.com',
                 json_object('plan', 'plan' || (i % ${sql.lit(plans)}), 'seats', i % 50,
                             'city', 'city' || (i % 500)),
                 'confirmed', 'bench', ${now}, ${now}
          from n`.execute(db);
      } else {
        await sql`
          insert into contacts (email, fields, status, source, created_at, updated_at)
          select 'list-' || i || '@example.com',
                 json_build_object('plan', 'plan' || (i % ${sql.lit(plans)}), 'seats', i % 50,
                                   'city', 'city' || (i % 500))::text,
                 'confirmed', 'bench', ${now}, ${now}
          from generate_series(1, ${sql.lit(count)}) as i`.execute(db);
      }
    },
    async timeFieldQuery(key, values) {
      const times: number[] = [];
      for (const value of values) {
        const started = performance.now();
        await listQuery(key, value).execute();
        times.push(performance.now() - started);
      }
      return times.sort((a, b) => a - b);
    },
    plan: (key, value) => explain(listQuery(key, value)),
    close: () => open.close(),
  };
}
