// Direct access to a Subflow server's database from the bench process: seeds events in bulk and
// reads the engine's tables, on SQLite (a second connection, WAL) or PostgreSQL (the same schema).
import { randomBytes } from 'node:crypto';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';

export interface EngineDb {
  /**
   * Inserts `count` new contacts and one event of `type` for each, in one transaction, as
   * `appendEvent` writes them (key = contact id, params = {ContactId, EmailAddress}, not yet
   * dispatched), so the engine sees exactly what a burst of real subscribes would leave behind.
   */
  insertContactEvents(type: string, count: number): Promise<void>;
  /** The first row of `sql`, every column as a number (counts, sums and times). */
  row(sql: string): Promise<Record<string, number>>;
  /** The first column of every row of `sql`, as numbers. */
  column(sql: string): Promise<number[]>;
  close(): Promise<void>;
}

const numbers = (row: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)]));

/** Addresses unique across calls and runs, so contacts never collide with earlier ones. */
function emails(type: string, count: number): string[] {
  const prefix = `${type}-${randomBytes(4).toString('hex')}`;
  return Array.from({ length: count }, (_, i) => `${prefix}-${i}@example.com`);
}

/** The server must have migrated the file first (it does before it reports ready). */
function sqliteEngineDb(path: string): EngineDb {
  const sqlite = new SqliteDatabase(path);
  // The server holds the write lock for a step at a time; wait for it rather than fail.
  sqlite.pragma('busy_timeout = 30000');
  sqlite.pragma('foreign_keys = ON');
  const contact = sqlite.prepare(
    `insert into contacts (email, fields, status, source, created_at, updated_at)
     values (?, '{}', 'confirmed', 'bench', ?, ?) returning id`,
  );
  const event = sqlite.prepare(
    `insert into events (type, key, contact_id, params, created_at, dispatched_at)
     values (?, ?, ?, ?, ?, null)`,
  );
  const insert = sqlite.transaction((type: string, addresses: string[]) => {
    const now = Date.now();
    for (const email of addresses) {
      const { id } = contact.get(email, now, now) as { id: number };
      event.run(type, String(id), id, JSON.stringify({ ContactId: id, EmailAddress: email }), now);
    }
  });
  return {
    // IMMEDIATE takes the write lock up front, so the transaction never has to upgrade mid-way.
    insertContactEvents: async (type, count) => insert.immediate(type, emails(type, count)),
    row: async (sql) => numbers((sqlite.prepare(sql).get() ?? {}) as Record<string, unknown>),
    column: async (sql) =>
      (sqlite.prepare(sql).raw().all() as unknown[][]).map((r) => Number(r[0])),
    close: async () => {
      sqlite.close();
    },
  };
}

/** The URL carries the server's search_path, so unqualified names are the server's tables. */
async function postgresEngineDb(url: string): Promise<EngineDb> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    async insertContactEvents(type, count) {
      // One statement (hence one transaction); unnest keeps it to one round trip for any count.
      await client.query(
        `with c as (
           insert into contacts (email, fields, status, source, created_at, updated_at)
           select e, '{}', 'confirmed', 'bench', $2, $2 from unnest($1::text[]) as e
           returning id, email)
         insert into events (type, key, contact_id, params, created_at, dispatched_at)
         select $3, id::text, id,
                json_build_object('ContactId', id, 'EmailAddress', email)::text, $2, null
         from c order by c.id`,
        [emails(type, count), Date.now(), type],
      );
    },
    row: async (sql) => numbers((await client.query(sql)).rows[0] ?? {}),
    column: async (sql) =>
      (await client.query({ text: sql, rowMode: 'array' })).rows.map((r) => Number(r[0])),
    close: () => client.end(),
  };
}

export async function openEngineDb(databaseUrl: string): Promise<EngineDb> {
  return databaseUrl.startsWith('sqlite:')
    ? sqliteEngineDb(databaseUrl.slice('sqlite:'.length))
    : postgresEngineDb(databaseUrl);
}
