// Everything that differs between SQLite and PostgreSQL, as one small capability object.
import { type Kysely, type SelectQueryBuilder, sql } from 'kysely';

export type DialectName = 'sqlite' | 'postgres';

export interface DialectCapabilities {
  readonly name: DialectName;
  /** Row locks for claiming work; SQLite serialises writers instead. */
  lockForClaim<DB, TB extends keyof DB, O>(
    query: SelectQueryBuilder<DB, TB, O>,
  ): SelectQueryBuilder<DB, TB, O>;
  /** True when the error is a violation of a unique constraint. */
  isUniqueViolation(error: unknown): boolean;
  /**
   * The schema unqualified table names resolve to (PostgreSQL's search_path), so the migrator
   * keeps its bookkeeping there; SQLite has none.
   */
  currentSchema(db: Kysely<any>): Promise<string | undefined>;
}

const sqlite: DialectCapabilities = {
  name: 'sqlite',
  lockForClaim: (query) => query,
  isUniqueViolation: (error) =>
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    (error.code === 'SQLITE_CONSTRAINT_UNIQUE' || error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'),
  currentSchema: async () => undefined,
};

const postgres: DialectCapabilities = {
  name: 'postgres',
  lockForClaim: (query) => query.forUpdate().skipLocked(),
  isUniqueViolation: (error) =>
    typeof error === 'object' && error !== null && 'code' in error && error.code === '23505',
  currentSchema: async (db) => {
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
    return rows[0]?.schema;
  },
};

export function capabilitiesFor(name: DialectName): DialectCapabilities {
  return name === 'sqlite' ? sqlite : postgres;
}
