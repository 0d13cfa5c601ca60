// The counters pool (db/counters.ts) survives a broken connection, as a pool must.
import { CompiledQuery } from 'kysely';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../server/config.ts';
import { paceConfirmation } from '../server/confirm/confirmation-pacing.ts';
import { countersOf } from '../server/db/counters.ts';
import { createLogger } from '../server/logger.ts';
import { migratedDatabaseEach, testDialects } from './helpers/databases.ts';

describe.each(testDialects())('the counters connections on %s', (dialect) => {
  const current = migratedDatabaseEach(dialect);
  const { timings } = loadConfig({});
  const booking = () => ({
    domain: 'example.com',
    formType: 'newsletter',
    timings,
    now: Date.now(),
    logger: createLogger('silent'),
  });

  it.runIf(dialect === 'postgres')(
    'an idle counters connection that the server ends is dropped, not an uncaught error',
    async () => {
      const { db } = current();
      await paceConfirmation(db, booking());
      // The pool holds one idle connection now: the booking's.
      const { rows } = await countersOf(db).executeQuery<{ pid: number }>(
        CompiledQuery.raw('select pg_backend_pid() as pid'),
      );
      const pid = rows[0]?.pid;
      // What a restarted server, idle_session_timeout or a DBA's pg_terminate_backend does.
      const uncaught: unknown[] = [];
      const onUncaught = (err: unknown) => uncaught.push(err);
      process.prependListener('uncaughtException', onUncaught);
      try {
        await db.executeQuery(CompiledQuery.raw('select pg_terminate_backend($1)', [pid]));
        await new Promise((r) => setTimeout(r, 500));
      } finally {
        process.removeListener('uncaughtException', onUncaught);
      }
      expect(uncaught).toEqual([]);
      // And the next booking gets a fresh connection.
      await expect(paceConfirmation(db, booking())).resolves.toBeGreaterThan(0);
    },
  );
});
