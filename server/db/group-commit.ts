// Group commit: short transactions that queue for SQLite's one connection share one commit.
import { sql } from 'kysely';
import { dialectOf } from './dialect.ts';
import type { DB } from './open-database.ts';
import { type Tx, type Wakeups, withTransaction } from './unit-of-work.ts';

/** Runs `fn` in a transaction of its own or a shared one; resolves once its changes are committed. */
export type TransactionRunner = <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;

interface Job {
  fn: (tx: Tx) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** Jobs one commit may carry: the connection is held for all of them, and others wait meanwhile. */
const MAX_BATCH = 32;

/**
 * On SQLite a commit cost about as much CPU as the rest of a subscribe (~0.3 ms: it writes every
 * page the transaction touched to the WAL), and concurrent requests only wait their turn for the
 * connection anyway. The jobs queued in one turn of the event loop, and those queued while their
 * batch runs, share one transaction (each in a savepoint, so a failing one is undone alone) and
 * one commit; each caller's promise settles
 * (and its after-commit callbacks run) only after that commit, so nothing is acknowledged before
 * it is durable. Elsewhere (PostgreSQL: a pool of connections) each call is its own transaction.
 * @example const run = transactionRunner(db, wakeups); await run((tx) => subscribeContact(tx, input));
 */
export function transactionRunner(db: DB, wakeups: Wakeups): TransactionRunner {
  if (!dialectOf(db).serialisesWriters) return (fn) => withTransaction({ db, wakeups }, fn);
  const queue: Job[] = [];
  let draining = false;
  const drain = async () => {
    while (queue.length > 0) await runBatch(db, wakeups, queue);
    draining = false;
  };
  return <T>(fn: (tx: Tx) => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (draining) return;
      draining = true;
      // SQLite's queries never yield to the event loop, so a transaction started at once would
      // commit before any other request is read: the first job waits for the requests read in
      // this turn of the loop to join it.
      setImmediate(drain);
    });
}

/** Runs queued jobs in one transaction; jobs queued while it runs join it, up to MAX_BATCH. */
async function runBatch(db: DB, wakeups: Wakeups, queue: Job[]): Promise<void> {
  const batch: Job[] = [];
  const done: { job: Job; value: unknown; callbacks: Set<() => void> }[] = [];
  const failed = new Set<Job>();
  try {
    await db.transaction().execute(async (trx) => {
      const next = () => (batch.length < MAX_BATCH ? queue.shift() : undefined);
      for (let job = next(); job; job = next()) {
        batch.push(job);
        const callbacks = new Set<() => void>();
        await sql`savepoint group_commit`.execute(trx);
        try {
          const value = await job.fn({
            db: trx,
            wakeups,
            afterCommit: (callback) => callbacks.add(callback),
          });
          await sql`release group_commit`.execute(trx);
          done.push({ job, value, callbacks });
        } catch (error) {
          await sql`rollback to group_commit`.execute(trx);
          await sql`release group_commit`.execute(trx);
          // Nothing of it is left to commit: it may fail at once.
          failed.add(job);
          job.reject(error);
        }
      }
    });
  } catch (error) {
    // The shared commit failed (or a savepoint could not be undone): nothing of the batch is stored.
    for (const job of batch) if (!failed.has(job)) job.reject(error);
    // Not even begun: the jobs waiting would only meet the same error (a closed database).
    if (batch.length === 0) for (const job of queue.splice(0)) job.reject(error);
    return;
  }
  const callbacks = new Set(done.flatMap((d) => [...d.callbacks]));
  for (const callback of callbacks) callback();
  for (const { job, value } of done) job.resolve(value);
}
