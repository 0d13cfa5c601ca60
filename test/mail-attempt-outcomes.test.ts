// A failed send's outcome is written only to a row still pending: a cancel or another process's send wins.
import { describe, expect, it } from 'vitest';
import type { DB } from '../server/db/open-database.ts';
import { cancelPendingMailTo } from '../server/mail/outbox/cancel-mail.ts';
import { markFailed, markRetry, markSent } from '../server/mail/outbox/record-attempt.ts';
import { migratedDatabaseEach, testDialects } from './helpers/databases.ts';
import { queueMail } from './helpers/mail-fixtures.ts';

/** A mail to `to`, claimed by a sender whose send is under way. */
async function queueOne(db: DB, to: string): Promise<number> {
  const [id] = await queueMail(db, [to], {
    locked_until: Date.now() + 60_000,
    locked_by: 'sender-a',
  });
  return id as number;
}

const stateOf = (db: DB, id: number) =>
  db
    .selectFrom('outbox')
    .select(['status', 'last_error', 'message_id'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();

describe.each(testDialects())('recording a failed send on %s', (dialect) => {
  const current = migratedDatabaseEach(dialect);

  it('leaves a mail cancelled mid-send cancelled, with its reason', async () => {
    const { db } = current();
    const id = await queueOne(db, 'gone@example.com');
    await cancelPendingMailTo(db, { address: 'gone@example.com', reason: 'suppressed' });
    await markFailed(db, id, '550 no such user');
    await markRetry(db, id, '421 try later', Date.now() + 1000);
    expect(await stateOf(db, id)).toMatchObject({ status: 'cancelled', last_error: 'suppressed' });
  });

  it('leaves a mail another process sent meanwhile sent', async () => {
    const { db } = current();
    const id = await queueOne(db, 'twice@example.com');
    await markSent(db, [{ id, messageId: '<b@example.com>' }], Date.now());
    await markFailed(db, id, 'connection reset');
    expect(await stateOf(db, id)).toMatchObject({
      status: 'sent',
      last_error: null,
      message_id: '<b@example.com>',
    });
  });
});
