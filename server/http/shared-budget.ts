// A request budget kept in PostgreSQL, so every process behind a load balancer spends from one.
import { CompiledQuery } from 'kysely';
import { RateLimiterMemory, RateLimiterPostgres, type RateLimiterRes } from 'rate-limiter-flexible';
import { countersOf } from '../db/counters.ts';
import type { DB } from '../db/open-database.ts';
import type { Logger } from '../logger.ts';
import { rateLimitFallbacks } from '../metrics/counters.ts';

/** At most one warning a minute per budget while the database does not answer. */
const WARN_EVERY_MS = 60_000;

/**
 * What RateLimiterPostgres calls a pool (`query({text, values})` answering `{rows, rowCount}`),
 * running on the database's counters handle (db/counters.ts): its search_path (tests give each
 * database its own schema), and commits that do not wait for the disk, since every request from
 * one address updates the same row and would otherwise hold it through a flush.
 */
function poolOver(db: DB) {
  const counters = countersOf(db);
  return {
    async query(q: { text: string; values?: unknown[] }) {
      const result = await counters.executeQuery(CompiledQuery.raw(q.text, q.values ?? []));
      const rowCount =
        result.numAffectedRows === undefined ? result.rows.length : Number(result.numAffectedRows);
      return { rows: result.rows, rowCount };
    },
  };
}

/** The in-memory budget a process falls back on; counts and logs each time it is used. */
class InsuranceBudget extends RateLimiterMemory {
  private lastWarning = 0;

  constructor(
    opts: { points: number; duration: number; keyPrefix: string },
    private readonly logger: Logger,
  ) {
    super(opts);
  }

  override consume(
    key: string | number,
    points?: number,
    options?: Record<string, unknown>,
  ): Promise<RateLimiterRes> {
    rateLimitFallbacks.inc({ budget: this.keyPrefix });
    const now = Date.now();
    if (now - this.lastWarning > WARN_EVERY_MS) {
      this.lastWarning = now;
      this.logger.warn(
        { budget: this.keyPrefix },
        `rate limit store unreachable: budget ${this.keyPrefix} is counted by this process alone`,
      );
    }
    return super.consume(key, points, options);
  }
}

/**
 * `perMinute` requests per key across all processes, in the `rate_limits` table (made by migration
 * 0010). When a query fails (PostgreSQL down or unreachable), this process falls back on a budget in
 * its own memory (rate-limiter-flexible's insurance): requests go on being limited, at up to the
 * whole budget per process, rather than refused or let through unlimited.
 * There is deliberately no timeout: under load the budget's query waits for a pooled connection
 * like every query of the request it guards, and a timeout would hand a flood (when limits matter
 * most) to the per-process budgets. A database that hangs stalls those requests either way.
 * @example const budget = sharedBudget(db, { name: 'ip', perMinute: 60, logger });
 */
export function sharedBudget(
  db: DB,
  opts: { name: string; perMinute: number; logger: Logger },
): RateLimiterPostgres {
  const shape = { points: opts.perMinute, duration: 60, keyPrefix: opts.name };
  return new RateLimiterPostgres({
    ...shape,
    storeClient: poolOver(db),
    storeType: 'pool',
    tableName: 'rate_limits',
    tableCreated: true,
    insuranceLimiter: new InsuranceBudget(shape, opts.logger),
    // A key over its budget is refused from memory until its window ends: a flood from one address
    // costs the database one query per process and minute, not one per request.
    inMemoryBlockOnConsumed: opts.perMinute + 1,
  });
}
