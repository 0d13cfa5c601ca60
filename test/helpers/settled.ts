// Positive signals to wait for before asserting that nothing (more) happened: no fixed sleeps.
import type { DB } from '../../server/db/open-database.ts';
import { until } from './workflow-dir.ts';

async function untilNoneLeft(
  what: string,
  remaining: () => Promise<number>,
  timeoutMs: number,
): Promise<void> {
  let left = 0;
  try {
    await until(async () => {
      left = await remaining();
      return left === 0;
    }, timeoutMs);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`waiting for no ${what} (${left} at the last look): ${reason}`, { cause: err });
  }
}

/**
 * Waits until no outbox row is pending: every queued mail was accepted by SMTP (or failed for good).
 * The sender marks a batch sent only after SMTP accepted all of it, so its mails have arrived.
 * @example await waitForDrainedOutbox(server.database.db); expect(smtp.mailsTo(a)).toHaveLength(1);
 */
export function waitForDrainedOutbox(db: DB, timeoutMs = 10_000): Promise<void> {
  return untilNoneLeft(
    'pending outbox rows',
    async () => {
      const row = await db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', 'pending')
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    timeoutMs,
  );
}

/**
 * Waits until the engine has dispatched every event; the runs an event starts (or wakes, or
 * cancels) are written in the same transaction as its `dispatched_at`.
 */
export function waitForDispatched(db: DB, timeoutMs = 10_000): Promise<void> {
  return untilNoneLeft(
    'undispatched events',
    async () => {
      const row = await db
        .selectFrom('events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('dispatched_at', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    timeoutMs,
  );
}

/** Waits until no run is running or waiting: for tests where every run is expected to end. */
export function waitForFinishedRuns(db: DB, timeoutMs = 10_000): Promise<void> {
  return untilNoneLeft(
    'unfinished runs',
    async () => {
      const row = await db
        .selectFrom('workflow_runs')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', 'in', ['running', 'waiting'])
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    timeoutMs,
  );
}

/**
 * Waits for events, then runs, then mail, in the order work flows through them (events start runs,
 * runs queue mail). Enough for workflows without `emit`, whose runs would append new events.
 */
export async function waitForSettled(db: DB, timeoutMs = 10_000): Promise<void> {
  await waitForDispatched(db, timeoutMs);
  await waitForFinishedRuns(db, timeoutMs);
  await waitForDrainedOutbox(db, timeoutMs);
}
