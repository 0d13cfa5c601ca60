// This process's identity for claims: registered at start, heartbeating, reaping dead peers' claims.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { DB } from '../db/open-database.ts';
import type { WorkerRow } from '../db/schema.ts';
import { coerceError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { reapDeadWorkers } from './workers/reap-dead-workers.ts';
import { releaseClaims } from './workers/release-claims.ts';

export interface WorkerRegistryOptions {
  db: DB;
  logger: Logger;
  heartbeatMs: number;
  /** A peer silent for longer than this is dead; well above `heartbeatMs`, so a busy one is not. */
  staleMs: number;
  /** Called after a reap released rows, so idle loops take them now rather than at their poll. */
  onReleased?: () => void;
  clock?: () => number;
}

/** Whether a process with this pid exists on this host (EPERM: it exists, owned by someone else). */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A crashed process's claims are freed by a heartbeat of any live one: within `staleMs` of its
 * last heartbeat, or within two heartbeats when it ran on this host (a restart after a crash).
 * @example const worker = await WorkerRegistry.start({ db, logger, heartbeatMs: 2000, staleMs: 10_000 });
 */
export class WorkerRegistry {
  readonly id = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> = Promise.resolve();
  private readonly clock: () => number;
  private readonly host = hostname();

  private constructor(private readonly opts: WorkerRegistryOptions) {
    this.clock = opts.clock ?? Date.now;
  }

  static async start(opts: WorkerRegistryOptions): Promise<WorkerRegistry> {
    const registry = new WorkerRegistry(opts);
    await registry.register();
    await registry.reap();
    registry.timer = setInterval(() => {
      registry.beating = registry.beat();
    }, opts.heartbeatMs);
    registry.timer.unref();
    return registry;
  }

  /** Stops heartbeating, frees whatever this process still holds and removes its row. */
  async stop(): Promise<number> {
    clearInterval(this.timer);
    await this.beating;
    return this.opts.db.transaction().execute(async (trx) => {
      const released = await releaseClaims(trx, [this.id]);
      await trx.deleteFrom('workers').where('id', '=', this.id).execute();
      return released;
    });
  }

  private async register(): Promise<void> {
    const now = this.clock();
    await this.opts.db
      .insertInto('workers')
      .values({
        id: this.id,
        host: this.host,
        pid: process.pid,
        started_at: now,
        heartbeat_at: now,
      })
      .execute();
  }

  private async beat(): Promise<void> {
    try {
      const updated = await this.opts.db
        .updateTable('workers')
        .set({ heartbeat_at: this.clock() })
        .where('id', '=', this.id)
        .executeTakeFirst();
      if (updated.numUpdatedRows === 0n) {
        // A peer found our heartbeat stale and released our claims; runs we still hold fail their
        // lease checks, so from here on we only take new work.
        this.opts.logger.warn(
          { worker: this.id },
          'this process was presumed dead; registering again',
        );
        await this.register();
      }
      await this.reap();
    } catch (err) {
      this.opts.logger.error({ err: coerceError(err) }, 'worker heartbeat failed; will retry');
    }
  }

  /**
   * A peer on this host whose process is gone and that missed two heartbeats. The missed beats
   * guard against a same-named host with its own pid namespace (two containers) where the pid means
   * nothing here.
   */
  private isGone(worker: WorkerRow): boolean {
    return (
      worker.host === this.host &&
      worker.pid !== process.pid &&
      worker.heartbeat_at < this.clock() - 2 * this.opts.heartbeatMs &&
      !processExists(worker.pid)
    );
  }

  private async reap(): Promise<void> {
    const { workers, released } = await reapDeadWorkers(this.opts.db, {
      now: this.clock(),
      staleMs: this.opts.staleMs,
      isGone: (w) => this.isGone(w),
    });
    if (workers.length || released) {
      this.opts.logger.info({ workers, released }, 'released the claims of stopped workers');
    }
    if (released) this.opts.onReleased?.();
  }
}
