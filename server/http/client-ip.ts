// The client's address: the socket peer, or the one the trusted proxies put in X-Forwarded-For.
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

/**
 * Each proxy appends the address it received the request from, so with `trustedProxies` proxies
 * the client is that many entries from the right; anything further left was written by the client.
 * @example forwardedClient('spoofed, 203.0.113.7', 1) // '203.0.113.7'
 */
export function forwardedClient(header: string, trustedProxies: number): string | undefined {
  const hops = header
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  // A shorter list than proxies means a proxy sent none: its leftmost entry is still a proxy's.
  return hops[Math.max(0, hops.length - trustedProxies)];
}

export function clientIp(c: Context, trustedProxies: number): string | null {
  if (trustedProxies > 0) {
    const forwarded = forwardedClient(c.req.header('x-forwarded-for') ?? '', trustedProxies);
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    // app.request() in tests has no socket.
    return null;
  }
}
