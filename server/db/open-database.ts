// Opens the database named by DATABASE_URL: SQLite (WAL, busy timeout, foreign keys) or PostgreSQL.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { capabilitiesFor, type DialectCapabilities } from './dialect.ts';
import type { Database } from './schema.ts';

export type DB = Kysely<Database>;

export interface OpenDatabase {
  db: DB;
  dialect: DialectCapabilities;
  close(): Promise<void>;
}

const INT8_OID = 20;
const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely prepares every query anew; preparing costs as much as running a small statement, and the
 * same few hundred SQL texts repeat, so prepared statements are kept and reused.
 */
function withStatementCache(sqlite: SqliteDatabase.Database): SqliteDatabase.Database {
  const statements = new Map<string, SqliteDatabase.Statement>();
  const prepare = sqlite.prepare.bind(sqlite);
  return Object.assign(Object.create(sqlite) as SqliteDatabase.Database, {
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (!statement) {
        // Queries with IN lists vary in text; a full cache starts over rather than grow forever.
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.clear();
        statement = prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
    close: () => sqlite.close(),
  });
}

/**
 * @example const { db, close } = openDatabase('sqlite::memory:');
 */
export function openDatabase(url: string): OpenDatabase {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const sqlite = new SqliteDatabase(path);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    const db = new Kysely<Database>({
      dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
    });
    return { db, dialect: capabilitiesFor('sqlite'), close: () => db.destroy() };
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    // Ids and counts are int8; they stay far below 2^53, so plain numbers are safe.
    types: {
      getTypeParser: (oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format),
    } as pg.CustomTypesConfig,
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: capabilitiesFor('postgres'), close: () => db.destroy() };
}
