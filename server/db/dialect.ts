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

/** Custom field keys that may be defined and filtered on: safe to write into SQL and index names. */
export const FIELD_KEY = /^[A-Za-z0-9_-]{1,64}$/;

type FieldType = 'text' | 'number' | 'date' | 'boolean' | 'enum';

/** What a phone's metadata holds (contacts/phone.ts), all filterable. */
export const PHONE_META_KEYS = [
  'isPossible',
  'isValid',
  'type',
  'country',
  'msisdn',
  'isBlocked',
] as const;
export type PhoneMetaKey = (typeof PHONE_META_KEYS)[number];

function assertPhoneMetaKey(key: string): void {
  if (!(PHONE_META_KEYS as readonly string[]).includes(key))
    throw new Error(`not a phone metadata key: ${JSON.stringify(key)}`);
}

function assertFieldKey(key: string): void {
  if (!FIELD_KEY.test(key)) throw new Error(`not a field key: ${JSON.stringify(key)}`);
}

/** One index per defined field, named by a hash so any key fits PostgreSQL's 63 characters. */
const fieldIndexName = (key: string) =>
  `contacts_field_${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;

const numeric = (text: string) => (/^-?\d+(\.\d+)?$/.test(text) ? [Number(text)] : []);

export interface DialectCapabilities {
  readonly name: DialectName;
  /**
   * One connection whose transactions take turns (SQLite): concurrent short transactions are
   * cheaper run in one, sharing its commit (db/group-commit.ts).
   */
  readonly serialisesWriters: boolean;
  /** Row locks for claiming work; SQLite serialises writers instead. */
  lockForClaim<DB, TB extends keyof DB, O>(
    query: SelectQueryBuilder<DB, TB, O>,
  ): SelectQueryBuilder<DB, TB, O>;
  /** Row locks held until the transaction ends, for rows read to be written back whole. */
  lockForWrite<DB, TB extends keyof DB, O>(
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
   * Runs `work` on one connection while no other process runs migrations against the same
   * database, in any schema: Kysely's migrator reads the whole catalog and fails when another
   * migrator's tables change under it. SQLite has one writer already.
   */
  migratingAlone<T>(db: Kysely<any>, work: (db: Kysely<any>) => Promise<T>): Promise<T>;
  /**
   * Holds a lock on each key (an email, a phone…) until the caller's transaction ends, so two
   * transactions deciding about the same identity take turns. Call it inside a transaction. The
   * keys are read only where locks are taken (an import's 1,000 need not be made on SQLite).
   */
  lockIdentities(trx: Kysely<any>, keys: Iterable<string>): Promise<void>;
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
  /**
   * A custom field's stored value as an SQL expression; written the same way in the index on it
   * (`createFieldIndex`) and in filters, so filters use the index. `key` must match FIELD_KEY.
   */
  fieldValue(key: string): RawBuilder<unknown>;
  /** A phone metadata value (`contacts.phone_meta`, keys of PhoneMeta) as an SQL expression. */
  phoneMetaValue(key: PhoneMetaKey): RawBuilder<unknown>;
  /** What `field.<key>=<text>` compares `fieldValue` with (any may match), by the field's type. */
  fieldFilterValues(type: FieldType | undefined, text: string): unknown[];
  createFieldIndex(db: Kysely<any>, key: string): Promise<void>;
  dropFieldIndex(db: Kysely<any>, key: string): Promise<void>;
  /**
   * `contacts.fields` with `changes` merged in, as the value of an UPDATE: the merge happens on the
   * row as it is when the UPDATE runs, so two writers changing different fields both keep theirs.
   * A null removes its key (RFC 7396); stored fields never hold nulls.
   */
  mergedFields(changes: Record<string, unknown>): RawBuilder<string>;
}

/**
 * Advisory lock ids for keys, deduplicated and ascending: every transaction takes its locks in the
 * same order, so two of them never wait for each other in a cycle (not even on a hash collision).
 */
function lockIds(keys: Iterable<string>): bigint[] {
  const ids = Array.from(keys, (key) =>
    createHash('sha256').update(`subflow:${key}`).digest().readBigInt64BE(0),
  );
  return [...new Set(ids)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

const MIGRATION_LOCK = lockIds(['migrations'])[0] as bigint;

const sqlite: DialectCapabilities = {
  name: 'sqlite',
  serialisesWriters: true,
  lockForClaim: (query) => query,
  lockForWrite: (query) => query,
  isUniqueViolation: (error) =>
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    (error.code === 'SQLITE_CONSTRAINT_UNIQUE' || error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'),
  currentSchema: async () => undefined,
  migratingAlone: (db, work) => work(db),
  // One connection per process and transactions hold it: writers are already serialised.
  lockIdentities: async () => {},
  changeStamp: () => sql<number>`(select coalesce(max(change_seq), 0) + 1 from contacts)`,
  changeHorizon: async () => undefined,
  mergedFields: (changes) => sql<string>`json_patch(fields, ${JSON.stringify(changes)})`,
  fieldValue: (key) => {
    assertFieldKey(key);
    return sql.raw(`json_extract(fields, '$."${key}"')`);
  },
  phoneMetaValue: (key) => {
    assertPhoneMetaKey(key);
    return sql.raw(`json_extract(phone_meta, '$.${key}')`);
  },
  // json_extract gives numbers as numbers and booleans as 1/0.
  fieldFilterValues: (type, text) => {
    if (type === 'number') return numeric(text);
    if (type === 'boolean') return text === 'true' ? [1] : text === 'false' ? [0] : [];
    if (type !== undefined) return [text];
    return [text, ...numeric(text), ...(text === 'true' ? [1] : text === 'false' ? [0] : [])];
  },
  createFieldIndex: async (db, key) => {
    assertFieldKey(key);
    await sql
      .raw(
        `create index if not exists ${fieldIndexName(key)} on contacts (json_extract(fields, '$."${key}"'))`,
      )
      .execute(db);
  },
  dropFieldIndex: async (db, key) => {
    await sql.raw(`drop index if exists ${fieldIndexName(key)}`).execute(db);
  },
};

const postgres: DialectCapabilities = {
  name: 'postgres',
  serialisesWriters: false,
  lockForClaim: (query) => query.forUpdate().skipLocked(),
  lockForWrite: (query) => query.forUpdate(),
  isUniqueViolation: (error) =>
    typeof error === 'object' && error !== null && 'code' in error && error.code === '23505',
  currentSchema: async (db) => {
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
    return rows[0]?.schema;
  },
  // A session lock, so a process that dies mid-migration lets the next one in.
  migratingAlone: (db, work) =>
    db.connection().execute(async (conn) => {
      await sql`select pg_advisory_lock(${MIGRATION_LOCK})`.execute(conn);
      try {
        return await work(conn);
      } finally {
        await sql`select pg_advisory_unlock(${MIGRATION_LOCK})`.execute(conn);
      }
    }),
  // One statement for any number of keys (an import chunk locks thousands); unnest keeps their order.
  lockIdentities: async (trx, keys) => {
    const ids = lockIds(keys).map(String);
    if (ids.length === 0) return;
    await sql`select pg_advisory_xact_lock(k) from unnest(${ids}::bigint[]) with ordinality as t(k, n) order by n`.execute(
      trx,
    );
  },
  changeStamp: () => sql<number>`pg_current_xact_id()::text::bigint`,
  mergedFields: (changes) =>
    sql<string>`jsonb_strip_nulls(fields::jsonb || ${JSON.stringify(changes)}::jsonb)::text`,
  changeHorizon: async (db) => {
    const { rows } = await sql<{ xmin: string }>`
      select pg_snapshot_xmin(pg_current_snapshot())::text as xmin`.execute(db);
    return Number(rows[0]?.xmin);
  },
  fieldValue: (key) => {
    assertFieldKey(key);
    return sql.raw(`(fields::jsonb ->> '${key}')`);
  },
  phoneMetaValue: (key) => {
    assertPhoneMetaKey(key);
    return sql.raw(`(phone_meta::jsonb ->> '${key}')`);
  },
  // ->> gives text: numbers as JSON writes them, booleans as true/false.
  fieldFilterValues: (type, text) => {
    if (type === 'number') return numeric(text).map(String);
    if (type === 'boolean') return text === 'true' || text === 'false' ? [text] : [];
    return [text];
  },
  // With the id in the index, a filter on one value reads its rows in id order and stops at the
  // page's end (SQLite's expression indexes end with the rowid anyway). Fresh statistics let the
  // planner see how selective the field is: autovacuum gathers them only after many rows change.
  createFieldIndex: async (db, key) => {
    assertFieldKey(key);
    await sql
      .raw(
        `create index if not exists ${fieldIndexName(key)} on contacts ((fields::jsonb ->> '${key}'), id)`,
      )
      .execute(db);
    await sql`analyze contacts`.execute(db);
  },
  dropFieldIndex: async (db, key) => {
    await sql.raw(`drop index if exists ${fieldIndexName(key)}`).execute(db);
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
