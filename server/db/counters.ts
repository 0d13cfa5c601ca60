// The handle counters are written through: outside the caller's transaction on PostgreSQL.
import type { Kysely } from 'kysely';

/**
 * Mail budgets and request budgets are single rows that every subscribe (or every request from one
 * address) updates. Inside the caller's transaction (PostgreSQL), a row's lock lasts until that
 * transaction commits, so concurrent subscribes took turns for the rest of their work and their
 * commit's flush: one process answered ~160 subscribes/s, almost all of them waiting on the lock.
 * Written as their own statements instead, committed at once without waiting for the disk, a row
 * is held for one statement. A counter lost in a crash, or spent by a transaction that then rolls
 * back, only paces a mail or a request a little differently; that is the trade.
 * SQLite has one connection, which the caller's transaction holds: counters go through it there.
 */
const counterHandles = new WeakMap<object, Kysely<any>>();

/**
 * Registers `counters` as the handle for `db`'s counters (and its transactions': they share the
 * adapter). Verbs are given only a handle, as with `dialectOf`, so the link belongs to the handle.
 */
export function attachCounters(db: Kysely<any>, counters: Kysely<any>): void {
  counterHandles.set(db.getExecutor().adapter, counters);
}

/** Where a counter on `db`'s database is written: its own pool (PostgreSQL), or `db` itself. */
export function countersOf<D extends Kysely<any>>(db: D): D {
  return (counterHandles.get(db.getExecutor().adapter) as D | undefined) ?? db;
}
