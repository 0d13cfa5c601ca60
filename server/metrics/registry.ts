// The process's one Prometheus registry (prom-client): domain counters, HTTP timings, Node's own.
import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * Metrics that belong to this process rather than to a database: what its code counted and timed.
 * Prometheus adds up each process's series itself, so counters here are per process by design.
 */
export const processMetrics = new Registry();

let defaultsCollected = false;

/** Node's runtime metrics (CPU, memory, event loop lag, GC), once per process, when /metrics is on. */
export function collectRuntimeMetrics(): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  collectDefaultMetrics({ register: processMetrics, prefix: 'subflow_' });
}
