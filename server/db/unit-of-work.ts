// Transactions for domain verbs: reuse the caller's transaction, wake background loops after commit.
import type { DB } from './open-database.ts';

/**
 * The background loops a commit can give work to. Waking one is only a hint (each also polls), but
 * waking it before the commit lets it look, find nothing, and sleep through the new work.
 */
export interface Wakeups {
  /** Mail was queued in the outbox. */
  mail(): void;
  /** Events were appended, or runs became due. */
  engine(): void;
  /** An import session was queued. */
  imports(): void;
}

/** What every verb is given: a handle and the loops to wake once its changes are committed. */
export interface VerbContext {
  db: DB;
  wakeups: Wakeups;
  /** Set inside a transaction opened by `withTransaction`: runs `fn` after the outermost commit. */
  afterCommit?: (fn: () => void) => void;
}

/** A context whose `db` is an open transaction. */
export interface Tx extends VerbContext {
  afterCommit: (fn: () => void) => void;
}

/** Loops that nothing needs to wake (one-shot CLI runs, tests that drive loops by hand). */
export const noWakeups: Wakeups = { mail: () => {}, engine: () => {}, imports: () => {} };

/**
 * Runs `fn` in a transaction: the caller's, when `ctx` already is one, else a new one whose
 * after-commit callbacks run (each once) when it commits, and are dropped when it rolls back.
 * @example await withTransaction(ctx, async (tx) => { await enqueueMail(tx, mail, now); });
 */
export async function withTransaction<T>(ctx: VerbContext, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if (ctx.afterCommit && ctx.db.isTransaction) return fn(ctx as Tx);
  const pending = new Set<() => void>();
  const result = await ctx.db
    .transaction()
    .execute((trx) =>
      fn({ db: trx, wakeups: ctx.wakeups, afterCommit: (callback) => pending.add(callback) }),
    );
  for (const callback of pending) callback();
  return result;
}
