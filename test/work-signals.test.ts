// Work signals between processes: NOTIFY after commit reaches the other listeners, survives a dropped
// connection, and stays within its schema. PostgreSQL only: SQLite is one process, nothing to signal
// (test/process-roles.test.ts shows split roles are refused there).
import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { migrateToLatest } from '../server/db/migrate.ts';
import { type OpenDatabase, openDatabase } from '../server/db/open-database.ts';
import { openWorkSignals, type WorkKind, type WorkSignals } from '../server/db/work-signals.ts';
import { createLogger } from '../server/logger.ts';
import { createTestDatabase } from './helpers/databases.ts';
import { until } from './helpers/workflow-dir.ts';

const logger = createLogger('silent');

/** A process's view: its database handle, its signals and the kinds it was woken for. */
interface Peer {
  database: OpenDatabase;
  signals: WorkSignals;
  woken: WorkKind[];
}

describe.skipIf(!inject('postgresUrl'))('work signals on PostgreSQL', () => {
  const peers: Peer[] = [];

  afterEach(async () => {
    for (const peer of peers.splice(0)) {
      await peer.signals.close();
      await peer.database.close();
    }
  });

  async function peer(url: string): Promise<Peer> {
    const database = openDatabase(url);
    await migrateToLatest(database.db, database.dialect);
    const signals = await openWorkSignals({ database, url, logger, reconnectMs: 100 });
    const woken: WorkKind[] = [];
    await signals.listen((kind) => woken.push(kind));
    const made = { database, signals, woken };
    peers.push(made);
    return made;
  }

  it('wakes the other processes on the same schema, not itself', async () => {
    const { url } = await createTestDatabase('postgres');
    const other = await createTestDatabase('postgres');
    const [a, b, elsewhere] = [await peer(url), await peer(url), await peer(other.url)];
    if (!a || !b || !elsewhere) throw new Error('peers not started');
    a.signals.notify('mail');
    a.signals.notify('engine');
    await until(async () => b.woken.includes('mail') && b.woken.includes('engine'), 5_000);
    // A signal from `b` reaching `a` proves `a` listens; by then a's own would have arrived too.
    b.signals.notify('imports');
    await until(async () => a.woken.includes('imports'), 5_000);
    expect(a.woken).toEqual(['imports']);
    expect(elsewhere.woken).toEqual([]);
  });

  it('a NOTIFY inside a transaction is delivered at its commit, not before', async () => {
    const { url } = await createTestDatabase('postgres');
    const [a, b] = [await peer(url), await peer(url)];
    if (!a || !b) throw new Error('peers not started');
    const channel = `subflow:${await a.database.dialect.currentSchema(a.database.db)}`;
    await a.database.db.transaction().execute(async (trx) => {
      await sql`select pg_notify(${channel}, 'engine:elsewhere')`.execute(trx);
      await sql`select pg_sleep(0.3)`.execute(trx);
      expect(b.woken).toEqual([]);
    });
    await until(async () => b.woken.includes('engine'), 5_000);
  });

  it('reconnects a dropped listener and wakes every loop once it is back', async () => {
    const { url } = await createTestDatabase('postgres');
    const [a, b] = [await peer(url), await peer(url)];
    if (!a || !b) throw new Error('peers not started');
    const schema = await a.database.dialect.currentSchema(a.database.db);
    const admin = new pg.Client(inject('postgresUrl') ?? '');
    await admin.connect();
    try {
      // A session's last statement stays in pg_stat_activity: the listeners of this schema only.
      const { rows } = await admin.query<{ pid: number }>(
        `select pid from pg_stat_activity
          where application_name = 'subflow-listener' and query = $1`,
        [`listen "subflow:${schema}"`],
      );
      expect(rows).toHaveLength(2);
      for (const { pid } of rows) await admin.query('select pg_terminate_backend($1)', [pid]);
    } finally {
      await admin.end();
    }
    const all = (woken: WorkKind[]) =>
      ['mail', 'engine', 'imports'].every((k) => woken.includes(k as WorkKind));
    await until(async () => all(a.woken) && all(b.woken), 10_000);
    b.woken.length = 0;
    a.signals.notify('imports');
    await until(async () => b.woken.includes('imports'), 5_000);
  });
});
