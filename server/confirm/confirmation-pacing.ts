// Paces confirmation mail per recipient domain and per form: over a budget, mail waits its turn.
import { sql } from 'kysely';
import type { Timings } from '../config.ts';
import { countersOf } from '../db/counters.ts';
import { dialectOf } from '../db/dialect.ts';
import type { DB } from '../db/open-database.ts';
import { runShape, shapeText } from '../db/statement-shapes.ts';
import type { Logger } from '../logger.ts';
import { confirmationBudgetTrips, confirmationsPaced } from '../metrics/counters.ts';

export type BudgetKind = 'form' | 'domain';

interface Budget {
  kind: BudgetKind;
  /** The form's id or the recipient domain. */
  name: string;
  perWindow: number;
}

/**
 * A generic cell rate algorithm: `perWindow` mails per window, one every `pace` ms, after a burst of
 * a tenth of the budget at once. The row remembers up to when the pace is booked; booking a mail
 * that arrives at `at` moves it on by one pace and answers when that mail may go.
 * One statement, so concurrent bookings on one budget take turns and never share a slot. On
 * PostgreSQL it commits on its own (db/counters.ts): the row is locked for this statement, not
 * until the caller's transaction ends.
 */
async function book(
  db: DB,
  budget: Budget,
  at: number,
  windowMs: number,
): Promise<{ sendAt: number; tripped: boolean }> {
  const pace = Math.max(1, Math.round(windowMs / budget.perWindow));
  const burst = Math.max(1, Math.ceil(budget.perWindow / 10));
  const text = shapeText(db, 'mail_budgets:book', () =>
    db
      .insertInto('mail_budgets')
      .values({ key: '', booked_until: 0 })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          booked_until: sql<number>`(case when mail_budgets.booked_until > ${0} then mail_budgets.booked_until else ${0} end) + ${0}`,
        }),
      )
      .returning('booked_until')
      .compile(),
  );
  const { rows } = await runShape<{ booked_until: number }>(db, text, [
    `${budget.kind}:${budget.name}`,
    at + pace,
    at,
    at,
    pace,
  ]);
  const booked = rows[0]?.booked_until;
  const bookedUntil = Number(booked);
  const sendAt = Math.max(at, bookedUntil - burst * pace);
  // The first mail of a run that waits: one pace less booked, and it would have gone at once.
  const tripped = sendAt > at && bookedUntil - (burst + 1) * pace <= at;
  return { sendAt, tripped };
}

/**
 * When a confirmation mail to `domain` for `formType` may be sent: `now`, or later once the form's
 * budget, then the domain's, has room. The domain's budget holds exactly for the times it gives.
 * Mail is delayed, never dropped: refusing instead would make the 202 differ between an address
 * that needs a mail and one that does not, which is what the subscribe endpoint must never show.
 * @example const sendAt = await paceConfirmation(trx, { domain: 'example.com', formType: 'newsletter', ... })
 */
export async function paceConfirmation(
  db: DB,
  input: {
    domain: string;
    formType: string | null;
    timings: Timings;
    now: number;
    logger: Logger;
  },
): Promise<number> {
  const { timings: t, logger } = input;
  const budgets: Budget[] = [
    ...(input.formType
      ? [{ kind: 'form' as const, name: input.formType, perWindow: t.confirmationsPerForm }]
      : []),
    { kind: 'domain', name: input.domain, perWindow: t.confirmationsPerDomain },
  ];
  const counters = countersOf(db);
  let sendAt = input.now;
  for (const budget of budgets) {
    const booking = await book(counters, budget, sendAt, t.confirmationBudgetWindowMs);
    if (booking.sendAt > sendAt) confirmationsPaced.inc({ budget: budget.kind });
    if (booking.tripped) {
      confirmationBudgetTrips.inc({ budget: budget.kind });
      logger.warn(
        {
          budget: budget.kind,
          [budget.kind]: budget.name,
          perHour: Math.round((budget.perWindow * 3600_000) / t.confirmationBudgetWindowMs),
          queuedUntil: new Date(booking.sendAt).toISOString(),
        },
        `confirmation budget of ${budget.kind} ${budget.name} reached: further mail is queued at its pace`,
      );
    }
    sendAt = booking.sendAt;
  }
  return sendAt;
}

/**
 * Budgets whose pace is booked only into the past hold nothing: their rows can go. Rows a subscribe
 * is booking are skipped (PostgreSQL): a subscribe locks its form's row then its domain's, and a
 * plain DELETE locking them in another order deadlocked with it when several processes ran.
 */
export async function pruneMailBudgets(db: DB, now: number): Promise<void> {
  const idle = dialectOf(db).lockForClaim(
    db.selectFrom('mail_budgets').select('key').where('booked_until', '<', now),
  );
  await db.deleteFrom('mail_budgets').where('key', 'in', idle).execute();
}
