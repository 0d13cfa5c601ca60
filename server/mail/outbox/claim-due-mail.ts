// Claims due outbox rows for one sender by leasing them to its worker id (freed when it dies).
import type { DialectCapabilities } from '../../db/dialect.ts';
import type { DB } from '../../db/open-database.ts';
import type { OutboxRow } from '../../db/schema.ts';

/**
 * UPDATE outbox SET locked_until = now + lease, locked_by = worker, attempts = attempts + 1
 * WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= now
 *              AND (locked_until IS NULL OR locked_until <= now)
 *              ORDER BY next_attempt_at LIMIT n [FOR UPDATE SKIP LOCKED])
 * RETURNING *
 */
export async function claimDueMail(
  db: DB,
  dialect: DialectCapabilities,
  opts: {
    now: number;
    leaseMs: number;
    limit: number;
    workerId: string;
    /** Rows this sender is still sending: an expired lease must not make it send them again. */
    skip?: number[];
  },
): Promise<OutboxRow[]> {
  const skip = opts.skip ?? [];
  const due = dialect.lockForClaim(
    db
      .selectFrom('outbox')
      .select('id')
      .where('status', '=', 'pending')
      .$if(skip.length > 0, (q) => q.where('id', 'not in', skip))
      .where('next_attempt_at', '<=', opts.now)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', opts.now)]))
      .orderBy('next_attempt_at')
      .limit(opts.limit),
  );
  return db
    .updateTable('outbox')
    .set((eb) => ({
      locked_until: opts.now + opts.leaseMs,
      locked_by: opts.workerId,
      attempts: eb('attempts', '+', 1),
    }))
    .where('id', 'in', due)
    .returningAll()
    .execute();
}

/**
 * Extends the lease of rows still being sent, while this worker holds them: a send can wait in
 * the SMTP pool behind slow ones for longer than any one transport timeout, so a lease taken at
 * claim time alone could run out mid-send and let another sender send the mail again.
 */
export async function renewMailLeases(
  db: DB,
  opts: { ids: number[]; until: number; workerId: string },
): Promise<void> {
  if (opts.ids.length === 0) return;
  await db
    .updateTable('outbox')
    .set({ locked_until: opts.until })
    .where('id', 'in', opts.ids)
    .where('locked_by', '=', opts.workerId)
    .where('status', '=', 'pending')
    .execute();
}
