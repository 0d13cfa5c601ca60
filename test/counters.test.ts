// Counters (mail budgets) written beside a transaction: on PostgreSQL a booking commits at once and
// never holds its row until the subscribe's transaction ends, so subscribes do not take turns.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../server/config.ts';
import { paceConfirmation } from '../server/confirm/confirmation-pacing.ts';
import { countersOf } from '../server/db/counters.ts';
import { createLogger } from '../server/logger.ts';
import { migratedDatabaseEach, testDialects } from './helpers/databases.ts';

describe.each(testDialects())('counters on %s', (dialect) => {
  const current = migratedDatabaseEach(dialect);
  const { timings } = loadConfig({
    CONFIRMATIONS_PER_FORM: '3600',
    CONFIRMATIONS_PER_DOMAIN: '3600',
  });
  const booking = (now: number) => ({
    domain: 'example.com',
    formType: 'newsletter',
    timings,
    now,
    logger: createLogger('silent'),
  });

  it('go through the transaction on SQLite, and beside it on PostgreSQL', async () => {
    await current()
      .db.transaction()
      .execute(async (trx) => {
        expect(countersOf(trx) === trx).toBe(dialect === 'sqlite');
      });
  });

  it.runIf(dialect === 'postgres')(
    'commit a booking at once: another booking of the same budget does not wait for the transaction',
    async () => {
      const now = Date.now();
      await current()
        .db.transaction()
        .execute(async (trx) => {
          await paceConfirmation(trx, booking(now));
          // Held until this transaction ended, the row would block this booking for ever.
          const other = await Promise.race([
            paceConfirmation(current().db, booking(now)).then(() => 'booked'),
            new Promise((r) => setTimeout(() => r('blocked'), 3_000)),
          ]);
          expect(other).toBe('booked');
          const rolledBack = new Error('roll back');
          await expect(
            current()
              .db.transaction()
              .execute(async (inner) => {
                await paceConfirmation(inner, booking(now));
                throw rolledBack;
              }),
          ).rejects.toBe(rolledBack);
        });
      // Three bookings stand, the rolled-back one too: it only paces later mail a little.
      const rows = await current()
        .db.selectFrom('mail_budgets')
        .select(['key', 'booked_until'])
        .execute();
      const pace = Math.round(timings.confirmationBudgetWindowMs / 3600);
      expect(rows.find((r) => r.key === 'form:newsletter')?.booked_until).toBe(now + 3 * pace);
    },
  );

  it.runIf(dialect === 'postgres')(
    'commit without waiting for the disk, on every connection of their pool',
    async () => {
      const counters = countersOf(current().db);
      // More at once than the pool holds, so every connection it opens is asked.
      const settings = await Promise.all(
        Array.from({ length: 6 }, () =>
          sql<{ synchronous_commit: string }>`show synchronous_commit`.execute(counters),
        ),
      );
      expect(new Set(settings.map(({ rows }) => rows[0]?.synchronous_commit))).toEqual(
        new Set(['off']),
      );
    },
  );
});
