// Order statistics shared by the bench modules that time many events (mails, page loads, timers).

/** The nearest-rank percentile of an ascending array; NaN when empty (reported as "—"). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] as number;
}

/** A sorted copy, so callers can keep their samples in measurement order. */
export const ascending = (values: number[]): number[] => [...values].sort((a, b) => a - b);
