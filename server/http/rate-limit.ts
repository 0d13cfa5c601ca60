// Request budgets (rate-limiter-flexible) per client IP and per API key, answering 429 with Retry-After.
import type { MiddlewareHandler } from 'hono';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { AuthEnv } from '../auth/require-api-key.ts';
import { RateLimitedError } from '../errors.ts';
import { clientIp } from './client-ip.ts';

/**
 * The one place a budget's store is chosen. In this process's memory for now, so each process of a
 * multi-node setup grants the whole budget on its own; a store shared through PostgreSQL
 * (rate-limiter-flexible's RateLimiterPostgres) replaces it here, and the middlewares stay as they are.
 */
export function requestBudget(perMinute: number): RateLimiterAbstract {
  return new RateLimiterMemory({ points: perMinute, duration: 60 });
}

/** Spends one request from `key`'s budget, or throws RateLimitedError saying when to retry. */
async function spend(budget: RateLimiterAbstract, key: string): Promise<void> {
  try {
    await budget.consume(key);
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) {
      throw new RateLimitedError(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)));
    }
    throw rejection;
  }
}

export function rateLimitPerIp(opts: {
  perMinute: number;
  trustedProxies: number;
}): MiddlewareHandler {
  const budget = requestBudget(opts.perMinute);
  return async function rateLimitPerIp(c, next) {
    await spend(budget, clientIp(c, opts.trustedProxies) ?? 'unknown');
    await next();
  };
}

/** After the key check: each key (the bootstrap key too) has its own budget of API_RATE_LIMIT. */
export function rateLimitPerApiKey(opts: { perMinute: number }): MiddlewareHandler<AuthEnv> {
  const budget = requestBudget(opts.perMinute);
  return async function rateLimitPerApiKey(c, next) {
    await spend(budget, `key:${c.get('principal').keyId}`);
    await next();
  };
}
