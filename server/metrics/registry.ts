// The process's one Prometheus registry (prom-client): domain counters, HTTP timings, Node's own.
import {
  AggregatorRegistry,
  collectDefaultMetrics,
  type MetricObjectWithValues,
  type MetricValue,
  Registry,
} from 'prom-client';

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

type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];
const sources = new Set<() => Promise<MetricsJson>>();

/**
 * A work thread counts in its own copy of the counters (a thread has its own modules); /metrics
 * adds them to this thread's, so the process reports one figure per series.
 * @example const remove = addMetricsSource(() => thread.metrics()); … remove();
 */
export function addMetricsSource(source: () => Promise<MetricsJson>): () => void {
  sources.add(source);
  return () => sources.delete(source);
}

/** This process's metrics: this thread's and its work threads', summed series by series. */
export async function processRegistry(): Promise<Registry> {
  if (sources.size === 0) return processMetrics;
  const all = await Promise.all([
    processMetrics.getMetricsAsJSON(),
    ...[...sources].map((s) => s()),
  ]);
  return AggregatorRegistry.aggregate(all as MetricsJson[]);
}
