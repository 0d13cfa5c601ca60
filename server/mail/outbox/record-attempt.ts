// Writes the outcome of one delivery attempt back to its outbox row.
import { sql } from 'kysely';
import type { DB } from '../../db/open-database.ts';

/**
 * Marks the mails a transport accepted as sent, one statement for all (each statement costs a
 * query build and a round trip; a busy sender marks dozens at a time):
 * UPDATE outbox SET status = 'sent', message_id = CASE id WHEN 1 THEN '<a@x>' … END, …
 * WHERE id IN (1, …)
 */
export async function markSent(
  db: DB,
  sent: { id: number; messageId: string }[],
  now: number,
): Promise<void> {
  if (sent.length === 0) return;
  const messageIds = sql.join(
    sent.map(({ id, messageId }) => sql`when ${id} then ${messageId}`),
    sql` `,
  );
  await db
    .updateTable('outbox')
    .set({
      status: 'sent',
      sent_at: now,
      locked_until: null,
      locked_by: null,
      message_id: sql<string>`case id ${messageIds} end`,
      last_error: null,
    })
    .where(
      'id',
      'in',
      sent.map(({ id }) => id),
    )
    .execute();
}

/**
 * A failed attempt's outcome goes only to a row still pending: one cancelled while its send was
 * under way (its contact deleted, its address suppressed) stays cancelled, and one another process
 * sent meanwhile (this one's claim reaped as stalled) stays sent.
 */
export async function markRetry(db: DB, id: number, error: string, retryAt: number): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ next_attempt_at: retryAt, locked_until: null, locked_by: null, last_error: error })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .execute();
}

/** See markRetry: a pending row only. */
export async function markFailed(db: DB, id: number, error: string): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ status: 'failed', locked_until: null, locked_by: null, last_error: error })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .execute();
}
