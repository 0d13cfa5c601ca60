// Whether an adaptive form's recent traffic is abnormal: its subscribes, or mail to one domain.

import { type SelectQueryBuilder, sql } from 'kysely';
import type { Timings } from '../config.ts';
import type { DB } from '../db/open-database.ts';
import type { Database } from '../db/schema.ts';

export interface RateThresholds {
  /** Subscribes to one form within the window (CHALLENGE_FORM_RATE). */
  formRate: number;
  /** Confirmation mails to one recipient domain within the window (CHALLENGE_DOMAIN_RATE). */
  domainRate: number;
}

/** Entries kept before the cache starts over, so a spray of made-up domains cannot grow it. */
const CACHE_LIMIT = 10_000;

/**
 * Counts from the database, so every process sees the same rates; each count stops at its
 * threshold (a bounded index range) and comes back as one number, and is reused for
 * `challengeRateCacheMs`, so a burst of subscribes costs one count a second, not one each: requests
 * arriving while a count runs wait for that one rather than starting their own. One instance per
 * process.
 * @example if (await rates.abnormal(db, { formId: 'newsletter', domain: 'example.com' }, now)) …
 */
export class AdaptiveRates {
  private readonly cache = new Map<string, { countedAt: number; abnormal: Promise<boolean> }>();

  constructor(
    private readonly thresholds: RateThresholds,
    private readonly timings: Pick<Timings, 'challengeRateWindowMs' | 'challengeRateCacheMs'>,
  ) {}

  /** `form` or `domain` when that rate is at its threshold, else `undefined`. */
  async abnormal(
    db: DB,
    input: { formId: string; domain: string | undefined },
    now: number,
  ): Promise<'form' | 'domain' | undefined> {
    if (await this.cached(`form:${input.formId}`, now, () => this.formBusy(db, input.formId, now)))
      return 'form';
    const { domain } = input;
    if (
      domain &&
      (await this.cached(`domain:${domain}`, now, () => this.domainBusy(db, domain, now)))
    )
      return 'domain';
    return undefined;
  }

  private cached(key: string, now: number, count: () => Promise<boolean>): Promise<boolean> {
    const hit = this.cache.get(key);
    if (hit && now - hit.countedAt < this.timings.challengeRateCacheMs) return hit.abnormal;
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    const abnormal = count();
    this.cache.set(key, { countedAt: now, abnormal });
    // A failed count is not kept: the next request counts again (this one sees the error).
    abnormal.catch(() => {
      if (this.cache.get(key)?.abnormal === abnormal) this.cache.delete(key);
    });
    return abnormal;
  }

  private async formBusy(db: DB, formId: string, now: number): Promise<boolean> {
    const limit = this.thresholds.formRate;
    const recent = db
      .selectFrom('consents')
      .select(sql.lit(1).as('one'))
      .where('form_type', '=', formId)
      .where('kind', '=', 'subscribe')
      .where('created_at', '>', now - this.timings.challengeRateWindowMs)
      .limit(limit);
    return (await countOf(db, recent)) >= limit;
  }

  private async domainBusy(db: DB, domain: string, now: number): Promise<boolean> {
    const limit = this.thresholds.domainRate;
    const recent = db
      .selectFrom('confirm_tokens')
      .select(sql.lit(1).as('one'))
      .where('domain', '=', domain)
      .where('created_at', '>', now - this.timings.challengeRateWindowMs)
      .limit(limit);
    return (await countOf(db, recent)) >= limit;
  }
}

/** The rows of a bounded query, counted by the database: one row comes back, not up to the bound. */
async function countOf<TB extends keyof Database>(
  db: DB,
  rows: SelectQueryBuilder<Database, TB, { one: number }>,
) {
  const { n } = await db
    .selectFrom(rows.as('recent'))
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(n);
}
