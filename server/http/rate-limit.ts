// Per-client request budget (rate-limiter-flexible), answering 429 with Retry-After beyond it.
import type { MiddlewareHandler } from 'hono';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimitedError } from '../errors.ts';
import { clientIp } from './client-ip.ts';

export function rateLimitPerIp(opts: {
  perMinute: number;
  trustedProxies: number;
}): MiddlewareHandler {
  const limiter = new RateLimiterMemory({ points: opts.perMinute, duration: 60 });
  return async function rateLimitPerIp(c, next) {
    const key = clientIp(c, opts.trustedProxies) ?? 'unknown';
    try {
      await limiter.consume(key);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        throw new RateLimitedError(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)));
      }
      throw rejection;
    }
    await next();
  };
}
