// Import sessions: a leased queue like the outbox, with the source kept in chunks and failures per row.
import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const idType = pg ? 'bigint' : 'integer';
  const id = (col: ColumnDefinitionBuilder) =>
    pg ? col.primaryKey().generatedByDefaultAsIdentity() : col.primaryKey().autoIncrement();
  const count = (col: ColumnDefinitionBuilder) => col.notNull().defaultTo(0);

  await db.schema
    .createTable('imports')
    .addColumn('id', idType, id)
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('options', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('total', 'integer', count)
    .addColumn('processed', 'integer', count)
    .addColumn('created', 'integer', count)
    .addColumn('updated', 'integer', count)
    .addColumn('skipped', 'integer', count)
    .addColumn('failed', 'integer', count)
    .addColumn('attempts', 'integer', count)
    .addColumn('error', 'text')
    .addColumn('locked_until', 'bigint')
    .addColumn('locked_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .execute();
  // The claim reads sessions still to do, oldest first; finished ones are never read by it.
  await db.schema
    .createIndex('imports_to_do')
    .on('imports')
    .columns(['status', 'id'])
    .where(sql.ref('finished_at'), 'is', null)
    .execute();
  await db.schema
    .createIndex('imports_claimed_by')
    .on('imports')
    .column('locked_by')
    .where(sql.ref('locked_until'), 'is not', null)
    .execute();

  // The rows still to import, in slices; a slice is deleted in the transaction that imports it.
  await db.schema
    .createTable('import_chunks')
    .addColumn('import_id', idType, (c) => c.notNull().references('imports.id').onDelete('cascade'))
    .addColumn('first_index', 'integer', (c) => c.notNull())
    .addColumn('row_count', 'integer', (c) => c.notNull())
    .addColumn('rows', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('import_chunks_pk', ['import_id', 'first_index'])
    .execute();

  await db.schema
    .createTable('import_failures')
    .addColumn('import_id', idType, (c) => c.notNull().references('imports.id').onDelete('cascade'))
    .addColumn('row_index', 'integer', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('row', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('import_failures_pk', ['import_id', 'row_index'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('import_failures').execute();
  await db.schema.dropTable('import_chunks').execute();
  await db.schema.dropTable('imports').execute();
}
