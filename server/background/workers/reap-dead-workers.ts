// Finds workers that stopped heartbeating (or whose process is gone) and frees what they held.
import type { DB } from '../../db/open-database.ts';
import type { WorkerRow } from '../../db/schema.ts';
import { releaseClaims, releaseOrphanedClaims } from './release-claims.ts';

export interface ReapOptions {
  now: number;
  /** A worker whose last heartbeat is older than this is dead. */
  staleMs: number;
  /**
   * True when the worker is certainly dead although its heartbeat is recent: its process on this
   * host is gone (a restart after a crash need not wait for the heartbeat to go stale).
   */
  isGone: (worker: WorkerRow) => boolean;
}

/**
 * One transaction: delete dead workers' rows and release their claims (and orphaned ones).
 * @example await reapDeadWorkers(db, { now: Date.now(), staleMs: 10_000, isGone: () => false })
 */
export async function reapDeadWorkers(
  db: DB,
  opts: ReapOptions,
): Promise<{ workers: string[]; released: number }> {
  return db.transaction().execute(async (trx) => {
    const workers = await trx.selectFrom('workers').selectAll().execute();
    const dead = workers
      .filter((w) => w.heartbeat_at < opts.now - opts.staleMs || opts.isGone(w))
      .map((w) => w.id);
    if (dead.length) await trx.deleteFrom('workers').where('id', 'in', dead).execute();
    const released = (await releaseClaims(trx, dead)) + (await releaseOrphanedClaims(trx));
    return { workers: dead, released };
  });
}
