// Request budgets shared by every process on one database: rate-limiter-flexible's table, made here.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // The shape RateLimiterPostgres expects, columns in its order (it inserts `VALUES ($1, $2, $3)`).
  // Created here so the library never runs DDL at request time (it is told `tableCreated: true`);
  // SQLite gets the table too, unused there (budgets stay in memory), so both schemas match.
  await db.schema
    .createTable('rate_limits')
    .addColumn('key', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('points', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expire', 'bigint')
    .execute();
  // The library deletes rows that expired an hour ago every five minutes.
  await db.schema.createIndex('rate_limits_expire').on('rate_limits').column('expire').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rate_limits').execute();
}
