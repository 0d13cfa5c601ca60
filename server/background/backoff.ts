// Exponential backoff with ±20% jitter, so retries of many failures do not arrive in lockstep.

/**
 * Delay before attempt `attempt + 1`, after `attempt` failed ones (1-based).
 * @example backoffMs(1, 2000, 600_000) // about 2 s; backoffMs(3, 2000, 600_000) // about 8 s
 */
export function backoffMs(attempt: number, firstMs: number, maxMs: number): number {
  const base = Math.min(maxMs, firstMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}
