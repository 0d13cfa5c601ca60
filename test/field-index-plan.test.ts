// A `field.<key>` filter on a defined field is answered from its expression index, not by reading
// every contact's JSON: the query plan of the list's SQL shape names the index, on each engine.
import { type Compilable, CompiledQuery } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineField, deleteField } from '../server/contacts/fields/field-definitions.ts';
import { migrateToLatest } from '../server/db/migrate.ts';
import { type OpenDatabase, openDatabase } from '../server/db/open-database.ts';
import { createTestDatabase, type TestDatabase, testDialects } from './helpers/databases.ts';

const ROWS = 3000;
const COMMON = Array.from({ length: 20 }, (_, i) => `plan${i}`);
/** Values few contacts hold: any planner with statistics prefers an index for them. */
const RARE = ['rare', 'scarce'];

describe.each(testDialects())('field filter query plan on %s', (dialect) => {
  let database: TestDatabase;
  let open: OpenDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    open = openDatabase(database.url);
    await migrateToLatest(open.db, open.dialect);
    // A fixture for the planner, not a behaviour: rows go in directly, many per statement.
    const now = Date.now();
    for (let start = 0; start < ROWS; start += 500) {
      await open.db
        .insertInto('contacts')
        .values(
          Array.from({ length: 500 }, (_, i) => {
            const n = start + i;
            const plan = n < 3 ? 'rare' : n >= 1000 && n < 1003 ? 'scarce' : COMMON[n % 20];
            return {
              email: `plan-${n}@example.com`,
              fields: JSON.stringify({ plan, seats: n % 7 }),
              status: 'confirmed' as const,
              source: 'test',
              created_at: now,
              updated_at: now,
            };
          }),
        )
        .execute();
    }
    await open.db
      .transaction()
      .execute((trx) =>
        defineField(trx, { key: 'plan', type: 'enum', options: [...COMMON, ...RARE] }, now),
      );
    // PostgreSQL plans from statistics, which autovacuum gathers on a live database.
    if (dialect === 'postgres') await open.db.executeQuery(CompiledQuery.raw('analyze contacts'));
  });
  afterAll(async () => {
    await open.close();
    await database.drop();
  });

  /** The list endpoint's SQL shape for `?field.plan=…&limit=100`. */
  const listQuery = (values: unknown[]) =>
    open.db
      .selectFrom('contacts')
      .selectAll()
      .where(open.dialect.fieldValue('plan'), 'in', values)
      .where('deleted_at', 'is', null)
      .orderBy('id')
      .limit(101);

  async function planOf(query: Compilable): Promise<string> {
    const { sql, parameters } = query.compile();
    const explain = dialect === 'sqlite' ? 'explain query plan' : 'explain';
    const { rows } = await open.db.executeQuery<Record<string, unknown>>(
      CompiledQuery.raw(`${explain} ${sql}`, [...parameters]),
    );
    return rows.map((r) => String(r.detail ?? r['QUERY PLAN'])).join('\n');
  }

  it('one value: the plan reads the field index', async () => {
    const values = open.dialect.fieldFilterValues('enum', 'rare');
    const plan = await planOf(listQuery(values));
    expect(plan).toMatch(/contacts_field_[0-9a-f]{16}/);
    const rows = await listQuery(values).execute();
    expect(rows.map((r) => JSON.parse(r.fields).plan)).toEqual(['rare', 'rare', 'rare']);
  });

  it('several values (an IN list): the plan reads the field index', async () => {
    const plan = await planOf(listQuery(RARE));
    expect(plan).toMatch(/contacts_field_[0-9a-f]{16}/);
    expect(await listQuery(RARE).execute()).toHaveLength(6);
  });

  it('without the definition the index is gone and the same query reads every row', async () => {
    await open.db.transaction().execute((trx) => deleteField(trx, 'plan'));
    const plan = await planOf(listQuery(['rare']));
    expect(plan).not.toMatch(/contacts_field_/);
    expect(plan).toMatch(
      dialect === 'sqlite' ? /SCAN contacts/ : /Seq Scan|Index Scan using contacts_pkey/,
    );
  });
});
