// Writes the outcome of one delivery attempt back to its outbox row.
import type { DB } from '../../db/open-database.ts';

export async function markSent(db: DB, id: number, messageId: string, now: number): Promise<void> {
  await db
    .updateTable('outbox')
    .set({
      status: 'sent',
      sent_at: now,
      locked_until: null,
      locked_by: null,
      message_id: messageId,
      last_error: null,
    })
    .where('id', '=', id)
    .execute();
}

export async function markRetry(db: DB, id: number, error: string, retryAt: number): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ next_attempt_at: retryAt, locked_until: null, locked_by: null, last_error: error })
    .where('id', '=', id)
    .execute();
}

export async function markFailed(db: DB, id: number, error: string): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ status: 'failed', locked_until: null, locked_by: null, last_error: error })
    .where('id', '=', id)
    .execute();
}
