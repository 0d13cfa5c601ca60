// Whether an adaptive form's recent traffic is abnormal: its subscribes, or mail to one domain.
import type { Timings } from '../config.ts';
import type { DB } from '../db/open-database.ts';

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
 * threshold (a bounded index range), and is reused for `challengeRateCacheMs` so a burst of
 * subscribes costs one count a second, not one each. One instance per process.
 * @example if (await rates.abnormal(db, { formId: 'newsletter', domain: 'example.com' }, now)) …
 */
export class AdaptiveRates {
  private readonly cache = new Map<string, { countedAt: number; abnormal: boolean }>();

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

  private async cached(key: string, now: number, count: () => Promise<boolean>): Promise<boolean> {
    const hit = this.cache.get(key);
    if (hit && now - hit.countedAt < this.timings.challengeRateCacheMs) return hit.abnormal;
    const abnormal = await count();
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(key, { countedAt: now, abnormal });
    return abnormal;
  }

  private async formBusy(db: DB, formId: string, now: number): Promise<boolean> {
    const recent = await db
      .selectFrom('consents')
      .select('created_at')
      .where('form_type', '=', formId)
      .where('kind', '=', 'subscribe')
      .where('created_at', '>', now - this.timings.challengeRateWindowMs)
      .limit(this.thresholds.formRate)
      .execute();
    return recent.length >= this.thresholds.formRate;
  }

  private async domainBusy(db: DB, domain: string, now: number): Promise<boolean> {
    const recent = await db
      .selectFrom('confirm_tokens')
      .select('created_at')
      .where('domain', '=', domain)
      .where('created_at', '>', now - this.timings.challengeRateWindowMs)
      .limit(this.thresholds.domainRate)
      .execute();
    return recent.length >= this.thresholds.domainRate;
  }
}
