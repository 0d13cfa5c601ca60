// Request budgets (rate-limiter-flexible) per client IP and per API key, answering 429 with Retry-After.
import { createHmac } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { type RateLimiterLike, RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { AuthEnv } from '../auth/require-api-key.ts';
import type { DialectCapabilities } from '../db/dialect.ts';
import type { DB } from '../db/open-database.ts';
import { RateLimitedError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { clientIp } from './client-ip.ts';
import { sharedBudget } from './shared-budget.ts';

/** Where budgets are kept: the app's database, when it is one several processes share. */
export interface BudgetStore {
  db: DB;
  dialect: DialectCapabilities;
  logger: Logger;
  /** Keys the hash that stands for a client address in a budget's key. */
  secretKey: string;
}

/**
 * A client address is personal data, and a shared budget's row outlives the request (an hour, until
 * the library clears it) beyond the reach of erasure: the key holds a keyed hash instead, which
 * nobody without SECRET_KEY can turn back into the address (a plain hash of an IPv4 could be).
 */
function addressKey(secretKey: string, address: string): string {
  return createHmac('sha256', secretKey).update(`rate-limit:${address}`).digest('base64url');
}

/**
 * The one place a budget's store is chosen. On PostgreSQL every process spends from one budget in
 * the database (several processes behind a load balancer grant `perMinute` in all, not each); on
 * SQLite, one process on one machine, the budget lives in memory and costs no query.
 * `name` keeps budgets apart when they share a store.
 */
export function requestBudget(
  store: BudgetStore,
  opts: { name: string; perMinute: number },
): RateLimiterLike {
  if (store.dialect.name === 'postgres')
    return sharedBudget(store.db, { ...opts, logger: store.logger });
  return new RateLimiterMemory({ points: opts.perMinute, duration: 60, keyPrefix: opts.name });
}

/** Spends one request from `key`'s budget, or throws RateLimitedError saying when to retry. */
async function spend(budget: RateLimiterLike, key: string): Promise<void> {
  try {
    await budget.consume(key);
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) {
      throw new RateLimitedError(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)));
    }
    throw rejection;
  }
}

export function rateLimitPerIp(
  store: BudgetStore,
  opts: { perMinute: number; trustedProxies: number },
): MiddlewareHandler {
  const budget = requestBudget(store, { name: 'ip', perMinute: opts.perMinute });
  // A budget in memory goes with the process, so its keys need no hash (a keyed hash per request
  // showed in profiles of the public subscribe).
  const keyOf =
    budget instanceof RateLimiterMemory
      ? (address: string) => address
      : (address: string) => addressKey(store.secretKey, address);
  return async function rateLimitPerIp(c, next) {
    await spend(budget, keyOf(clientIp(c, opts.trustedProxies) ?? 'unknown'));
    await next();
  };
}

/** After the key check: each key (the bootstrap key too) has its own budget of API_RATE_LIMIT. */
export function rateLimitPerApiKey(
  store: BudgetStore,
  opts: { perMinute: number },
): MiddlewareHandler<AuthEnv> {
  const budget = requestBudget(store, { name: 'api-key', perMinute: opts.perMinute });
  return async function rateLimitPerApiKey(c, next) {
    await spend(budget, String(c.get('principal').keyId));
    await next();
  };
}
