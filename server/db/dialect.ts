// Everything that differs between SQLite and PostgreSQL, as one small capability object.
import { createHash } from 'node:crypto';
import {
  type Kysely,
  PostgresAdapter,
  type RawBuilder,
  type SelectQueryBuilder,
  sql,
} from 'kysely';

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
  /**
   * Holds a lock on each key (an email, a phone…) until the caller's transaction ends, so two
   * transactions deciding about the same identity take turns. Call it inside a transaction.
   */
  lockIdentities(trx: Kysely<any>, keys: string[]): Promise<void>;
  /**
   * The `change_seq` a contact write records: on PostgreSQL the writing transaction's id, on
   * SQLite one more than the highest stamp (writers are serialised there). See changeHorizon.
   */
  changeStamp(): RawBuilder<number>;
  /**
   * Stamps below the horizon are final: no transaction still running can write one. PostgreSQL
   * commits transactions out of order, so the change feed only reads below the oldest one still
   * running; on SQLite every committed stamp is final (`undefined`: no bound).
   */
  changeHorizon(db: Kysely<any>): Promise<number | undefined>;
}

/**
 * Advisory lock ids for keys, deduplicated and ascending: every transaction takes its locks in the
 * same order, so two of them never wait for each other in a cycle (not even on a hash collision).
 */
function lockIds(keys: string[]): bigint[] {
  const ids = keys.map((key) =>
    createHash('sha256').update(`subflow:${key}`).digest().readBigInt64BE(0),
  );
  return [...new Set(ids)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
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
  // One connection per process and transactions hold it: writers are already serialised.
  lockIdentities: async () => {},
  changeStamp: () => sql<number>`(select coalesce(max(change_seq), 0) + 1 from contacts)`,
  changeHorizon: async () => undefined,
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
  lockIdentities: async (trx, keys) => {
    for (const id of lockIds(keys))
      await sql`select pg_advisory_xact_lock(${id.toString()}::bigint)`.execute(trx);
  },
  changeStamp: () => sql<number>`pg_current_xact_id()::text::bigint`,
  changeHorizon: async (db) => {
    const { rows } = await sql<{ xmin: string }>`
      select pg_snapshot_xmin(pg_current_snapshot())::text as xmin`.execute(db);
    return Number(rows[0]?.xmin);
  },
};

export function capabilitiesFor(name: DialectName): DialectCapabilities {
  return name === 'sqlite' ? sqlite : postgres;
}

/** The capabilities of the engine behind a handle, for verbs that are given only a handle. */
export function dialectOf(db: Kysely<any>): DialectCapabilities {
  return capabilitiesFor(
    db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite',
  );
}
